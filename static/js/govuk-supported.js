// Tell GOV.UK Frontend's CSS that JavaScript runs and whether the browser supports its modules.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
