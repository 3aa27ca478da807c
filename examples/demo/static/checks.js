// The demo's live checks. This file is external so that it runs whatever the
// policy says about inline scripts ('self' allows it); it reports, it never
// decides what is safe.
(function () {
  "use strict";
  var framed = window.top !== window;

  function report(id, blocked, detail) {
    var output = document.getElementById(id);
    output.dataset.result = blocked ? "blocked" : "allowed";
    if (detail) output.dataset.detail = detail;
    output.textContent = (blocked ? "blocked" : "runs") + (detail ? " (" + detail + ")" : "");
  }

  // Registered before the page's inline script is parsed, so its violation is seen.
  document.addEventListener("securitypolicyviolation", function (event) {
    var list = document.getElementById("violations");
    if (!list) return;
    var item = document.createElement("li");
    item.textContent = event.effectiveDirective + " refused " + (event.blockedURI || "(inline)");
    list.appendChild(item);
  });

  if (framed) {
    // Tell whoever framed us that we loaded: framing was allowed.
    window.parent.postMessage("secheaders-demo:framed", "*");
    return;
  }

  document.addEventListener("DOMContentLoaded", function () {
    report("check-inline", window.demoInlineRan !== true);
    report("check-nonce", window.demoNoncedRan !== true);

    var features = document.permissionsPolicy || document.featurePolicy;
    if (features) {
      report("check-camera", !features.allowsFeature("camera"));
    } else {
      var camera = document.getElementById("check-camera");
      camera.dataset.result = "unknown";
      camera.textContent = "this browser cannot tell";
    }

    try {
      // eslint-disable-next-line no-eval
      var result = eval("6 * 7");
      report("check-eval", result !== 42);
    } catch (error) {
      report("check-eval", true, error.name);
    }

    var loaded = false;
    window.addEventListener("message", function (event) {
      if (event.origin === location.origin && event.data === "secheaders-demo:framed") {
        loaded = true;
        report("check-frame", false);
      }
    });
    var frame = document.createElement("iframe");
    frame.title = "this page, framed";
    frame.src = location.pathname + "?framed=1";
    frame.addEventListener("load", function () {
      // A refused frame still fires load (with an error page); give a page
      // that did load a moment to say so.
      setTimeout(function () {
        if (loaded) return;
        report("check-frame", true);
        // The browser shows its own error page in a refused frame: say what it is.
        var label = document.createElement("p");
        label.id = "frame-label";
        label.className = "blocked-frame";
        label.textContent = "Blocked: the browser refused to show this page in a frame " +
          "(Content-Security-Policy frame-ancestors, X-Frame-Options).";
        frame.classList.add("blocked");
        frame.after(label);
      }, 500);
    });
    document.getElementById("check-frame").after(frame);
  });
})();
