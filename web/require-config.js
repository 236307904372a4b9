// Points require.js at the folder this file was served from, so `require(['anywidget'])`
// and the widget fonts resolve locally on top-level and nested pages, over http and file://.
(function () {
  var src = document.currentScript && document.currentScript.src;
  var base = src ? src.slice(0, src.lastIndexOf("/") + 1) : "./";
  window.require.config({ baseUrl: base, paths: { anywidget: base + "anywidget" } });
})();
