// Minimal XML writer for STS Query responses. Element order is significant to fidelity (real STS order), so
// children are an ordered list, and absent optional elements are simply left out by the caller.

export type XmlNode = { name: string; children: XmlNode[] } | { name: string; text: string };

export function el(name: string, content: string | number | XmlNode[]): XmlNode {
  return Array.isArray(content) ? { name, children: content } : { name, text: String(content) };
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

function render(node: XmlNode, indent: string): string {
  if ('text' in node) return `${indent}<${node.name}>${escapeXml(node.text)}</${node.name}>\n`;
  const inner = node.children.map((child) => render(child, `${indent}  `)).join('');
  return `${indent}<${node.name}>\n${inner}${indent}</${node.name}>\n`;
}

/** Renders a document whose root element carries the given namespace. */
export function xmlDocument(root: string, namespace: string, children: XmlNode[]): string {
  const inner = children.map((child) => render(child, '  ')).join('');
  return `<${root} xmlns="${namespace}">\n${inner}</${root}>\n`;
}
