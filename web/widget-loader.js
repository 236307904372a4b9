// Runs the book's page widgets (anywidget modules) with no Jupyter, no kernel and no network.
// Each <div class="pc-widget" data-module="NAME"> holds the widget's traits as JSON (and, for
// the quiz, its questions as plain HTML). When the widget comes near the screen, this loads
// m/NAME.js (the widget's own module, saved by peercare.book.bookwidgets as a classic script so
// that it also runs from file://) and calls its render() with a small model: get, set, on,
// off and save_changes, as anywidget gives it. Nothing is sent anywhere: save_changes()
// keeps the values in the page.
(function () {
  "use strict";
  var src = document.currentScript && document.currentScript.src;
  var base = src ? src.slice(0, src.lastIndexOf("/") + 1) : "./";
  var modules = {};

  window.peercareDefine = function (name, factory) {
    var entry = modules[name];
    if (entry) entry.resolve(factory());
  };

  function load(name) {
    if (!modules[name]) {
      var entry = (modules[name] = {});
      entry.promise = new Promise(function (resolve, reject) {
        entry.resolve = resolve;
        var script = document.createElement("script");
        script.src = base + "m/" + name + ".js";
        script.onerror = function () {
          reject(new Error("could not load widget module " + name));
        };
        document.head.appendChild(script);
      });
    }
    return modules[name].promise;
  }

  function makeModel(state) {
    var listeners = {};
    function emit(event, arg) {
      (listeners[event] || []).slice().forEach(function (cb) {
        cb(arg);
      });
    }
    return {
      get: function (key) {
        return state[key];
      },
      set: function (key, value) {
        state[key] = value;
        emit("change:" + key, value);
        emit("change", key);
      },
      on: function (event, cb) {
        (listeners[event] = listeners[event] || []).push(cb);
      },
      off: function (event, cb) {
        if (!event) listeners = {};
        else if (!cb) delete listeners[event];
        else listeners[event] = (listeners[event] || []).filter(function (f) { return f !== cb; });
      },
      save_changes: function () {},
      send: function () {},
      widget_manager: {},
    };
  }

  // What the reader ticked or typed in the page's HTML before the script came is kept.
  function carryOver(from, to) {
    from.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      var twin = to.querySelector("#" + CSS.escape(field.id));
      if (!twin) return;
      if (field.checked !== field.defaultChecked) twin.checked = field.checked;
      if (field.tagName === "TEXTAREA" && field.value) twin.value = field.value;
    });
  }

  async function mount(box) {
    var state = JSON.parse(box.querySelector("script.pc-widget-state").textContent);
    var widget = await load(box.getAttribute("data-module"));
    if (typeof widget === "function") widget = await widget();
    var model = makeModel(state);
    if (widget.initialize) await widget.initialize({ model: model });
    var el = document.createElement("div");
    el.className = "pc-widget-live";
    await widget.render({ model: model, el: el });
    var before = box.querySelector(".pc-widget-static");
    if (before) {
      carryOver(before, el);
      before.replaceWith(el);
    } else {
      box.insertBefore(el, box.firstChild);
    }
    box.setAttribute("data-ready", "");
  }

  function start(box) {
    mount(box).catch(function (err) {
      box.setAttribute("data-error", "");
      console.error(err);
    });
  }

  var boxes = document.querySelectorAll(".pc-widget");
  if (!("IntersectionObserver" in window)) {
    boxes.forEach(start);
    return;
  }
  var observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          start(entry.target);
        }
      });
    },
    { rootMargin: "800px 0px" }
  );
  boxes.forEach(function (box) {
    observer.observe(box);
  });
})();
