/* Starts the rich-text editor (ProseMirror through django-prose-editor's built bundle) on
   every <textarea data-rich-text>. Imported by its static URL, relative to this module, so no
   import map (inline script) is needed; injectCSS is off so no <style> is injected: the
   strict Content-Security-Policy holds. The textarea keeps the HTML, cleaned again by the
   server (nh3) whatever it receives. */
import {
  Blockquote, Bold, BulletList, Document, Dropcursor, Editor, Gapcursor, HardBreak, Heading,
  History, Italic, Link, ListItem, Menu, OrderedList, Paragraph, Text, crel
} from "../django_prose_editor/editor.js";

function start(textarea) {
  if (textarea.closest(".prose-editor")) { return; }
  const disabled = textarea.hasAttribute("disabled");
  const wrapper = crel("div", {className: "prose-editor" + (disabled ? " disabled" : "")});
  textarea.before(wrapper);
  wrapper.append(textarea);
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const editor = new Editor({
    element: wrapper,
    editable: !disabled,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      Document, Paragraph, Text, HardBreak, Dropcursor, Gapcursor, History, Menu,
      Bold, Italic, Link, BulletList, OrderedList, ListItem, Blockquote,
      Heading.configure({levels: [2, 3]}),
    ],
    editorProps: {
      attributes: {
        role: "textbox", "aria-multiline": "true",
        ...(label ? {"aria-label": label.textContent.trim()} : {}),
        ...(textarea.getAttribute("aria-describedby")
          ? {"aria-describedby": textarea.getAttribute("aria-describedby")} : {}),
      },
    },
    onUpdate({editor}) {
      const html = editor.getHTML();
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    },
  });
  textarea.hidden = true;
  const labels = JSON.parse(textarea.getAttribute("data-rich-text-labels") || "{}");
  const name = (element) => labels[element.getAttribute("data-name")];
  const translate = () => {
    // A button the editor greys out (class "disabled": the link button without a selection)
    // says so to assistive technologies, which the bundle does not.
    wrapper.querySelectorAll(".prose-menubar__button").forEach((button) => {
      const off = button.classList.contains("disabled") ? "true" : null;
      if (button.getAttribute("aria-disabled") !== off) {
        if (off) { button.setAttribute("aria-disabled", off); }
        else { button.removeAttribute("aria-disabled"); }
      }
    });
    wrapper.querySelectorAll(".prose-menubar [data-name]").forEach((element) => {
      const text = name(element);
      if (!text) { return; }
      if (element.classList.contains("prose-menubar__option")) {
        const inner = element.firstElementChild || element;
        if (inner.textContent !== text) { inner.textContent = text; }
      } else if (element.title !== text) {
        element.title = text;
        element.setAttribute("aria-label", text);
      }
    });
    // The block-type dropdown shows the current type with the option's own button.
    wrapper.querySelectorAll(".prose-menubar__selected button").forEach((button) => {
      const option = [...wrapper.querySelectorAll(".prose-menubar__option")].find(
        (o) => o.classList.contains("active") || o.classList.contains("is-active"));
      const text = (option && name(option)) || labels.blockType;
      if (text && button.title !== text) {
        button.title = text;
        button.setAttribute("aria-label", `${labels.blockType} : ${text}`);
      }
    });
  };
  translate();
  // The menu is drawn once the editor runs and redraws its buttons as the selection moves:
  // name them again each time (only what differs is written, so this settles at once).
  new MutationObserver(translate).observe(wrapper, {subtree: true, childList: true,
                                                    attributes: true,
                                                    attributeFilter: ["title", "class"]});
  if (label) {
    label.addEventListener("click", () => editor.commands.focus());
  }
  return editor;
}

document.querySelectorAll("textarea[data-rich-text]").forEach(start);
