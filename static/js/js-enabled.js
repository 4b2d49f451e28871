// Loaded first in <body>, in place of the design system's inline script (our
// Content-Security-Policy allows no inline script): its components style themselves for
// JavaScript only when these classes are set.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
