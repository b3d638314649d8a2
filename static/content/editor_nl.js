// The editor's buttons in Dutch. django-prose-editor names its toolbar buttons in
// English without a translation hook; its dialogs are translated through the admin's
// JavaScript catalogue (content/locale). Only labels change: every button works as before.
(function () {
  "use strict"
  const LABELS = {
    paragraph: "Gewone tekst",
    heading2: "Tussenkop",
    heading3: "Kleine tussenkop",
    bulletList: "Opsomming met bolletjes",
    orderedList: "Genummerde opsomming",
    blockquote: "Citaat",
    horizontalRule: "Scheidingslijn",
    figure: "Afbeelding invoegen",
    bold: "Vet",
    italic: "Schuin",
    link: "Link maken",
    unlink: "Link weghalen",
    table: "Tabel invoegen",
    "table:addColumnAfter": "Kolom toevoegen",
    "table:addRowAfter": "Rij toevoegen",
    "table:deleteColumn": "Kolom weghalen",
    "table:deleteRow": "Rij weghalen",
    "table:deleteTable": "Tabel weghalen",
    "table:mergeCells": "Cellen samenvoegen",
    "table:splitCell": "Cel splitsen",
    "table:toggleHeaderCell": "Kopcel aan of uit",
    "history:undo": "Ongedaan maken",
    "history:redo": "Opnieuw doen",
  }
  const translate = (root) => {
    for (const button of root.querySelectorAll(".prose-menubar [data-name]")) {
      const label = LABELS[button.dataset.name]
      if (!label) continue
      if (button.classList.contains("prose-menubar__option")) {
        // The choice of paragraph or heading shows its text, not an icon.
        const shown = button.firstElementChild || button
        if (shown.textContent !== label) shown.textContent = label
      } else if (button.title !== label) {
        button.title = label
        button.setAttribute("aria-label", label)
      }
    }
    for (const selected of root.querySelectorAll(".prose-menubar__selected button")) {
      if (selected.title !== "Soort tekst") {
        selected.title = "Soort tekst"
        selected.setAttribute("aria-label", "Soort tekst: gewone tekst of tussenkop")
      }
    }
  }
  document.addEventListener("prose-editor:ready", (event) => {
    const root = event.target.closest(".prose-editor") || document
    translate(root)
    // The toolbar redraws parts of itself as the text changes; label those again.
    new MutationObserver(() => translate(root)).observe(root.querySelector(".prose-menubar") || root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["title"],
    })
  })
})()
