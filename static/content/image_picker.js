// The editor's image picker window: hands the chosen upload back to the editor that
// opened it, through the callback protocol django-prose-editor's Figure extension uses.
(function () {
  "use strict"
  const root = document.querySelector(".image-picker")
  if (!root) return
  const callback = root.dataset.callback
  const editor = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools
  if (!editor || !callback) {
    root.querySelector(".image-picker-no-editor").hidden = false
    return
  }
  const choose = (button) => {
    editor.callFunction(callback, button.dataset.url, {
      id: button.dataset.id,
      alternative_text: button.dataset.alt,
      caption: button.dataset.caption,
    })
    window.close()
  }
  root.addEventListener("click", (event) => {
    const button = event.target.closest(".image-picker-choose")
    if (button) choose(button)
  })
  // Just uploaded: that is the one she wants.
  const chosen = root.querySelector(".image-picker-choose[data-chosen]")
  if (chosen) choose(chosen)
})()
