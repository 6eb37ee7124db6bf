/** Text for an HTML page (the Shuttle callback page, the emulator's pages): every special character as an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
