// Shared helpers, prepended to each widget's module by peercare.book.quiz.esm().
// The DOM is built with textContent only: nothing a reader or an author types is parsed as HTML.

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Save text as a file on the reader's device; made in the browser, sent nowhere.
function saveToDevice(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

let counter = 0;

// What a reader chooses to keep in this browser only (localStorage, one key); never sent.
// Every call survives blocked or full storage: save() then returns false.
function deviceStore(key) {
  return {
    load() {
      try {
        const data = JSON.parse(window.localStorage.getItem(key) || "null");
        return data && typeof data === "object" ? data : null;
      } catch (e) {
        return null;
      }
    },
    save(data) {
      try {
        window.localStorage.setItem(key, JSON.stringify(data));
        return true;
      } catch (e) {
        return false;
      }
    },
    remove() {
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
        /* blocked storage holds nothing to remove */
      }
    },
  };
}

// A small standalone page for printing or saving; bodyHtml must already be escaped.
function printableDoc(title, bodyHtml, helpText) {
  const help = helpText ? `<p><strong>${escapeHtml(helpText)}</strong></p>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>` +
    `<style>body{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}h2{font-size:1.1rem;margin-top:1.2rem}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${bodyHtml}${help}</body></html>`;
}

// Print a document made in the browser, without the rest of the page. The hidden frame
// stays until the next print (a test or the reader's browser can still read it).
function printDoc(docHtml, frameTitle) {
  document.querySelectorAll("iframe.pc-print-frame").forEach((f) => f.remove());
  const frame = el("iframe", { class: "pc-print-frame", title: frameTitle, "aria-hidden": "true", tabindex: "-1", style: "position:fixed;width:0;height:0;border:0" });
  document.body.appendChild(frame);
  frame.contentDocument.open();
  frame.contentDocument.write(docHtml);
  frame.contentDocument.close();
  frame.contentWindow.focus();
  frame.contentWindow.print();
}
