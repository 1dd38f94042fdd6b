// The student's page while an upload waits for its grade: ask the tool every few seconds whether
// anything changed, and reload the page when it did.  Without this script, reloading does the same.
(function () {
  var body = document.body;
  var every = Number(body.getAttribute("data-poll")) * 1000;
  var url = body.getAttribute("data-status-url");
  var version = body.getAttribute("data-version");
  if (!every || !url) { return; }
  function look() {
    fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        if (status && status.version !== version) { window.location.reload(); }
        else { window.setTimeout(look, every); }
      })
      .catch(function () { window.setTimeout(look, every * 2); });
  }
  window.setTimeout(look, every);
})();
