/** Text for an HTML page (a provider's loopback callback page, the emulator's pages): every special character as an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
