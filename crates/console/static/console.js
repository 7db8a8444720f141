// The console works without this file; it only shows an upload's progress when htmx sends a
// form (htmx's own progress event), since a long upload on a slow line otherwise looks stuck.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest ? event.target.closest("form.upload") : null;
  var bar = form ? form.querySelector("progress") : null;
  if (bar && event.detail.lengthComputable && event.detail.total > 0) {
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});
