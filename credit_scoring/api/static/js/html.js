// HTML building blocks shared by the panels: elements, data tables (every chart's text alternative)
// and chart legends that pair each colour with a pattern or shape and a word.
import { el } from "./svg.js";

/** An HTML element with attributes (`text` sets its text content) and children. */
export function h(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") {
      element.textContent = value;
    } else if (value !== undefined && value !== null && value !== false) {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    element.append(child);
  }
  return element;
}

/**
 * A data table: `columns` are {label, numeric}, `rows` arrays of cell texts. The first cell of a row
 * is its header. The table scrolls sideways inside its box rather than widening the page; the box is a
 * named region in the tab order, so that a keyboard can scroll it too (WCAG 2.1.1).
 */
export function dataTable(caption, columns, rows) {
  const head = h(
    "tr",
    {},
    columns.map((column) =>
      h("th", { scope: "col", class: column.numeric ? "number" : null, text: column.label }),
    ),
  );
  const body = rows.map((cells) =>
    h(
      "tr",
      {},
      cells.map((cell, i) =>
        i === 0
          ? h("th", { scope: "row", text: cell })
          : h("td", { class: columns[i].numeric ? "number" : null, text: cell }),
      ),
    ),
  );
  const table = h("table", {}, [
    h("caption", { text: caption }),
    h("thead", {}, [head]),
    h("tbody", {}, body),
  ]);
  return h("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": caption }, [table]);
}

const SWATCHES = {
  safe: () => el("rect", { class: "fill-safe", x: 1, y: 2, width: 22, height: 12 }),
  risk: () => el("rect", { class: "fill-risk", x: 1, y: 2, width: 22, height: 12 }),
  neutral: () => el("rect", { class: "fill-neutral", x: 1, y: 2, width: 22, height: 12 }),
  safeZone: () => el("rect", { class: "fill-safe-zone", x: 1, y: 2, width: 22, height: 12 }),
  moderate: () => el("rect", { class: "fill-moderate", x: 1, y: 2, width: 22, height: 12 }),
  client: () => el("line", { class: "marker-client", x1: 12, x2: 12, y1: 0, y2: 16 }),
  threshold: () => el("line", { class: "marker-threshold", x1: 12, x2: 12, y1: 0, y2: 16 }),
  pointRepaid: () => el("circle", { class: "point-repaid", cx: 12, cy: 8, r: 4 }),
  pointDefaulted: () => el("path", { class: "point-defaulted", d: "M12 3 L17 12 L7 12 Z" }),
  pointClient: () => el("path", { class: "marker-client-fill", d: starPath(12, 8, 7) }),
};

/** A legend: items are {swatch, label} with swatch a key of SWATCHES. */
export function legend(items) {
  return h(
    "ul",
    { class: "legend" },
    items.map(({ swatch, label }) => {
      const icon = el("svg", { viewBox: "0 0 24 16", "aria-hidden": "true", focusable: "false" }, [
        SWATCHES[swatch](),
      ]);
      return h("li", {}, [icon, h("span", { text: label })]);
    }),
  );
}

/** A five-pointed star centred on (cx, cy): the client's mark on every chart. */
export function starPath(cx, cy, radius) {
  const points = [];
  for (let i = 0; i < 10; i += 1) {
    const r = i % 2 === 0 ? radius : radius * 0.45;
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    points.push(`${(cx + r * Math.cos(angle)).toFixed(2)} ${(cy + r * Math.sin(angle)).toFixed(2)}`);
  }
  return `M${points.join(" L")} Z`;
}
