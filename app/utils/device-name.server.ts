import Bowser from 'bowser'

/**
 * A device as its owner would name it, from the browser's user agent: "Chrome on macOS",
 * "Safari on iPhone", "Firefox on Linux". Parsed by bowser, which keeps up with new browsers.
 */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const { browser, os, platform } = Bowser.parse(userAgent)
  // An iPhone or iPad says more than "iOS"; other phones name only their system.
  const system = platform.model && /^iP(hone|ad|od)/.test(platform.model) ? platform.model : os.name
  if (browser.name && system) return `${browser.name} on ${system}`
  if (browser.name) return browser.name
  if (system) return `A browser on ${system}`
  return 'Unknown device'
}
