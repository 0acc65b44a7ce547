// The little SVG toolkit the charts share. Charts are drawn at the container's width in CSS pixels
// (one user unit per pixel), so text sized in rem by the stylesheet keeps its size inside the drawing,
// and are drawn again when the width, the text size or the language changes.

const NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes; `text` sets its text content. */
export function el(tag, attributes = {}, children = []) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") {
      element.textContent = value;
    } else if (value !== undefined && value !== null) {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    element.append(child);
  }
  return element;
}

let fonts = null;

/** The root font size and the page's font family, read once per task: a chart measures hundreds of
 * labels while it appends to the page, and each read of computed style would lay the page out again. */
function pageFonts() {
  if (!fonts) {
    fonts = {
      rem: Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16,
      family: getComputedStyle(document.body).fontFamily,
    };
    queueMicrotask(() => {
      fonts = null;
    });
  }
  return fonts;
}

/** The root font size in pixels: the unit every chart's layout is measured in. */
function rem() {
  return pageFonts().rem;
}

/** Chart text size in pixels (the stylesheet's `.chart text` size). */
export function textSize() {
  return 0.8 * rem();
}

let measurer = null;

/** A text's width in pixels at chart size, measured in the page's own font (bold for `.strong`). */
export function textWidth(text, bold = false) {
  measurer ??= document.createElement("canvas").getContext("2d");
  measurer.font = `${bold ? 700 : 400} ${textSize()}px ${pageFonts().family}`;
  return measurer.measureText(String(text)).width;
}

/** The text broken at spaces into lines no wider than `room` (a word wider than it is cut, never lost). */
export function wrapLines(text, room, bold = false) {
  const lines = [];
  let line = "";
  for (const word of String(text).split(" ")) {
    const candidate = line ? `${line} ${word}` : word;
    if (!line || textWidth(candidate, bold) <= room) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines.flatMap((wrapped) => breakWord(wrapped, room, bold));
}

function breakWord(line, room, bold) {
  const pieces = [];
  let rest = line;
  while (textWidth(rest, bold) > room && rest.length > 1) {
    let keep = rest.length - 1;
    while (keep > 1 && textWidth(rest.slice(0, keep), bold) > room) {
      keep -= 1;
    }
    pieces.push(rest.slice(0, keep));
    rest = rest.slice(keep);
  }
  return [...pieces, rest];
}

/** The height of one line of chart text. */
export function lineHeight() {
  return textSize() * 1.25;
}

/** A <text> of several lines at (x, y), y being the first line's baseline. */
export function lines(texts, attributes) {
  const text = el("text", attributes);
  texts.forEach((line, i) => {
    text.append(el("tspan", { x: attributes.x, dy: i === 0 ? 0 : lineHeight(), text: line }));
  });
  return text;
}

/** The width a chart is drawn at: its container's, never less than the narrowest phone leaves. */
export function chartWidth(container) {
  return Math.max(container.clientWidth, 160);
}

/**
 * Replace the container's content with an empty SVG of the container's width and the given height.
 * The SVG is an image for assistive technology, named by `label` and described by the caption the
 * container's data-caption names (a sentence with the figures; a table follows for the details).
 */
export function chartSvg(container, height, label) {
  const width = chartWidth(container);
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": label,
    "aria-describedby": container.dataset.caption,
    focusable: "false",
  });
  container.replaceChildren(svg);
  return { svg, width };
}

/** A linear scale mapping [d0, d1] onto [r0, r1]. */
export function linear(d0, d1, r0, r1) {
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) {
    return [min];
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

/** Drop ticks whose labels would overlap, keeping the first and spacing the rest. */
export function spacedTicks(ticks, position, labelOf) {
  const kept = [];
  let lastRight = -Infinity;
  for (const tick of ticks) {
    const half = textWidth(labelOf(tick)) / 2;
    const x = position(tick);
    if (x - half > lastRight + textSize()) {
      kept.push(tick);
      lastRight = x + half;
    }
  }
  return kept;
}

/** A horizontal axis: a line at `y`, labelled ticks kept inside [left, right] and apart. */
export function xAxis(svg, { ticks, position, label, y, left, right }) {
  const size = textSize();
  svg.append(el("line", { class: "axis", x1: left, x2: right, y1: y, y2: y }));
  for (const tick of spacedTicks(ticks, position, label)) {
    const x = position(tick);
    const placed = clampAnchor(x, textWidth(label(tick)), left, right);
    svg.append(el("line", { class: "axis", x1: x, x2: x, y1: y, y2: y + size * 0.4 }));
    svg.append(
      el("text", {
        x: placed.x,
        y: y + size * 1.5,
        "text-anchor": placed.anchor,
        class: "muted tick",
        text: label(tick),
      }),
    );
  }
}

/** The lines of an axis title (wrapLines' result) centred on [left, right], the first baseline at `y`. */
export function axisTitle(svg, titleLines, { y, left, right }) {
  svg.append(lines(titleLines, { x: (left + right) / 2, y, "text-anchor": "middle" }));
}

/** Horizontal grid lines at `ticks` across [left, right], each labelled at the left edge. */
export function yGrid(svg, { ticks, position, label, left, right }) {
  const size = textSize();
  for (const tick of ticks) {
    svg.append(el("line", { class: "grid", x1: left, x2: right, y1: position(tick), y2: position(tick) }));
    svg.append(
      el("text", {
        x: left - size * 0.4,
        y: position(tick) + size * 0.35,
        "text-anchor": "end",
        class: "muted tick",
        text: label(tick),
      }),
    );
  }
}

/** Keep a text anchored at x inside [left, right] given its width. */
export function clampAnchor(x, width, left, right) {
  if (x - width / 2 < left) {
    return { x: left, anchor: "start" };
  }
  if (x + width / 2 > right) {
    return { x: right, anchor: "end" };
  }
  return { x, anchor: "middle" };
}
