/* peercare cert lab --candidate: a JupyterLab plugin written by hand (no build step).
   JupyterLab loads a prebuilt extension's remoteEntry and asks it for "./extension"; this
   file answers with one plugin that needs nothing from JupyterLab's shared packages.

   - nbgrader's "(view feedback)" link only moves the file panel to the feedback folder.
     When that happens, this also opens the candidate's feedback page (served by
     peercare.certification.labserver at peercare/feedback) in a tab: one click.
   - nbgrader's "Invalid Submission" dialog title reads "About sending your work".
   - "(view feedback)" looks like a link and can be reached with the Tab key. */
(function () {
  "use strict";
  var FEEDBACK_FOLDER = /(^|\/)feedback\/[^/]+(\/[^/]+\.html)?\/?$/;
  var TITLES = { "Invalid Submission": "About sending your work" };

  function baseUrl() {
    var data = document.getElementById("jupyter-config-data");
    var base = data ? JSON.parse(data.textContent).baseUrl || "/" : "/";
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  var opened = {}; // path -> the tab already showing it

  function openFeedback(app, path) {
    var shown = opened[path];
    if (shown && !shown.isDisposed) {
      app.shell.activateById(shown.id);
      return;
    }
    var parts = path.split("/");
    var at = parts.lastIndexOf("feedback");
    var name = at > 0 ? "Feedback: " + parts[at - 1] : "Your feedback";
    var url = baseUrl() + "peercare/feedback?path=" + encodeURIComponent(path);
    if (app.commands.hasCommand("help:open")) {
      app.commands.execute("help:open", { url: url, text: name }).then(function (tab) {
        if (tab) opened[path] = tab;
      });
    } else {
      window.open(url, "_blank", "noopener");
    }
  }

  function plainTitles() {
    var heads = document.querySelectorAll(".jp-Dialog-header");
    for (var i = 0; i < heads.length; i++) {
      var walker = document.createTreeWalker(heads[i], NodeFilter.SHOW_TEXT);
      for (var text = walker.nextNode(); text; text = walker.nextNode()) {
        var said = text.nodeValue.trim();
        if (Object.prototype.hasOwnProperty.call(TITLES, said)) text.nodeValue = TITLES[said];
      }
    }
  }

  // nbgrader's "(view feedback)" has no address, so it looks like plain text and the Tab
  // key skips it; with one it looks like the other links and Enter opens it too.
  function linkLooksLikeALink() {
    var links = document.querySelectorAll("#submitted_assignments_list a:not([href])");
    for (var i = 0; i < links.length; i++) {
      if (links[i].textContent.trim() === "(view feedback)") links[i].setAttribute("href", "#");
    }
  }

  var plugin = {
    id: "peercare-candidate-lab:plugin",
    description: "Feedback in one click, and nbgrader's dialog titles in plain words.",
    autoStart: true,
    activate: function (app) {
      app.commands.commandExecuted.connect(function (_, args) {
        var path = String((args.args && args.args.path) || "");
        if (args.id === "filebrowser:go-to-path" && FEEDBACK_FOLDER.test(path)) {
          openFeedback(app, path.replace(/\/$/, ""));
        }
      });
      // the list and the dialogs are redrawn at will, so look again at every change
      new MutationObserver(function () {
        if (document.querySelector(".jp-Dialog")) plainTitles();
        linkLooksLikeALink();
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    }
  };

  var lab = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  lab["peercare-candidate-lab"] = {
    init: function () {
      return Promise.resolve();
    },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error("peercare-candidate-lab has no " + module));
      }
      return Promise.resolve(function () {
        return { __esModule: true, default: [plugin] };
      });
    }
  };
})();
