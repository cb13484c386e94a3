import { readFileSync } from 'node:fs'
import path from 'node:path'
import { inflateSync } from 'node:zlib'
import * as fontkit from 'fontkit'
import PDFDocument from 'pdfkit'
import QRCode from 'qrcode'
import type { CertificateFacts } from '../../db/certificates'

/*
 * The attendance certificate as a PDF (docs/decisions/029-attendance-certificates.md).
 *
 * Names come in every script, so the text is set in Noto Sans with Noto Sans Devanagari, embedded
 * (server/certificates/fonts, SIL Open Font License). The fonts come as per-script subsets, so
 * each piece of text is cut into runs, each set in the first font that has its characters
 * (staying in the current font while it has them, so spaces and marks keep to their run); fontkit
 * shapes each run, which is what joins Devanagari conjuncts. The QR code is a PNG image of the
 * verify link.
 */

/** The certificate's facts (db/certificates.ts), with what printing adds. */
export type CertificatePdfInput = CertificateFacts & {
  /** The number as printed, in groups. */
  number: string
  verifyUrl: string
  timeZone: string
}

const FONT_DIR = path.join(import.meta.dirname, 'fonts')
const SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'greek', 'cyrillic', 'cyrillic-ext']
type Weight = 400 | 700
type LoadedFont = { name: string; data: Buffer; font: fontkit.Font }

let loaded: Map<Weight, LoadedFont[]> | null = null

function fonts(weight: Weight): LoadedFont[] {
  if (!loaded) {
    loaded = new Map()
    for (const w of [400, 700] as const) {
      const files = [...SUBSETS.map((s) => `noto-sans-${s}-${w}-normal.woff`), `noto-sans-devanagari-devanagari-${w}-normal.woff`]
      loaded.set(
        w,
        files.map((file) => {
          const data = woffToSfnt(readFileSync(path.join(FONT_DIR, file)))
          const font = fontkit.create(data) as fontkit.Font
          return { name: file.replace(/\.woff$/, ''), data, font }
        }),
      )
    }
  }
  return loaded.get(weight)!
}

/**
 * A WOFF 1.0 font unpacked to the plain TrueType/OpenType file it wraps (W3C WOFF 1.0, §3–5), once
 * at start-up. pdfkit parses its fonts afresh for every document, and fontkit inflates WOFF tables
 * in JavaScript: that alone took most of a second per certificate.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') return woff
  const numTables = woff.readUInt16BE(12)
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20
    const tag = woff.subarray(at, at + 4)
    const offset = woff.readUInt32BE(at + 4)
    const compLength = woff.readUInt32BE(at + 8)
    const origLength = woff.readUInt32BE(at + 12)
    const checksum = woff.readUInt32BE(at + 16)
    const stored = woff.subarray(offset, offset + compLength)
    const data = compLength < origLength ? inflateSync(stored) : stored
    return { tag, checksum, data }
  })
  const headerLength = 12 + numTables * 16
  const padded = (n: number) => (n + 3) & ~3
  const total = tables.reduce((sum, t) => sum + padded(t.data.length), headerLength)
  const out = Buffer.alloc(total)
  const entrySelector = Math.floor(Math.log2(numTables))
  const searchRange = 2 ** entrySelector * 16
  woff.copy(out, 0, 4, 8) // the flavour is the sfnt version
  out.writeUInt16BE(numTables, 4)
  out.writeUInt16BE(searchRange, 6)
  out.writeUInt16BE(entrySelector, 8)
  out.writeUInt16BE(numTables * 16 - searchRange, 10)
  let offset = headerLength
  tables.forEach((t, i) => {
    const at = 12 + i * 16
    t.tag.copy(out, at)
    out.writeUInt32BE(t.checksum, at + 4)
    out.writeUInt32BE(offset, at + 8)
    out.writeUInt32BE(t.data.length, at + 12)
    t.data.copy(out, offset)
    offset += padded(t.data.length)
  })
  return out
}

type Run = { font: string; text: string }

/** The text cut into runs, each in one font that has its characters. */
export function fontRuns(text: string, weight: Weight): Run[] {
  const list = fonts(weight)
  const runs: Run[] = []
  let current: LoadedFont | null = null
  for (const char of text) {
    const cp = char.codePointAt(0)!
    if (!current || !current.font.hasGlyphForCodePoint(cp)) {
      current = list.find((f) => f.font.hasGlyphForCodePoint(cp)) ?? current ?? list[0]
    }
    const last = runs.at(-1)
    if (last && last.font === current.name) last.text += char
    else runs.push({ font: current.name, text: char })
  }
  return runs
}

function register(doc: PDFKit.PDFDocument) {
  for (const weight of [400, 700] as const) for (const f of fonts(weight)) doc.registerFont(f.name, f.data)
}

function widthOf(doc: PDFKit.PDFDocument, runs: Run[], size: number) {
  return runs.reduce((sum, run) => sum + doc.font(run.font).fontSize(size).widthOfString(run.text), 0)
}

/** Lines of at most `width`, broken between words (a single word longer than the line stays whole). */
function wrap(doc: PDFKit.PDFDocument, text: string, weight: Weight, size: number, width: number): Run[][] {
  const lines: Run[][] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word
    if (line && widthOf(doc, fontRuns(candidate, weight), size) > width) {
      lines.push(fontRuns(line, weight))
      line = word
    } else line = candidate
  }
  if (line) lines.push(fontRuns(line, weight))
  return lines
}

/** Draws text centred between the margins, wrapped; returns the y below it. */
function centred(doc: PDFKit.PDFDocument, text: string, y: number, options: { size: number; weight?: Weight; color?: string; gap?: number }) {
  const weight = options.weight ?? 400
  const left = doc.page.margins.left
  const width = doc.page.width - left - doc.page.margins.right
  doc.fillColor(options.color ?? '#0f172a')
  let top = y
  for (const runs of wrap(doc, text, weight, options.size, width)) {
    let x = left + (width - widthOf(doc, runs, options.size)) / 2
    for (const run of runs) {
      doc.font(run.font).fontSize(options.size)
      doc.text(run.text, x, top, { lineBreak: false })
      x += doc.widthOfString(run.text)
    }
    top += options.size * 1.35
  }
  return top + (options.gap ?? 0)
}

/** Left-aligned text at (x, y) on one line. */
function line(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number, color = '#334155') {
  doc.fillColor(color)
  for (const run of fontRuns(text, 400)) {
    doc.font(run.font).fontSize(size)
    doc.text(run.text, x, y, { lineBreak: false })
    x += doc.widthOfString(run.text)
  }
}

const dateIn = (value: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(new Date(value))

export function minutesText(minutes: number) {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  const parts = [h ? `${h} hour${h === 1 ? '' : 's'}` : '', m ? `${m} minutes` : ''].filter(Boolean)
  return `${minutes} minutes${h ? ` (${parts.join(' ')})` : ''}`
}

/** The certificate as PDF bytes: one A4 landscape page. */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Buffer> {
  const qr = await QRCode.toBuffer(input.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 })
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: 56, bottom: 40, left: 64, right: 64 },
    info: { Title: `Certificate of attendance ${input.number}`, Author: 'Rounds', Subject: input.talkTitle },
    autoFirstPage: true,
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  register(doc)
  const { width, height } = doc.page
  doc.lineWidth(2).strokeColor('#0f766e').rect(24, 24, width - 48, height - 48).stroke()

  let y = 64
  y = centred(doc, 'Rounds', y, { size: 14, weight: 700, color: '#0f766e', gap: 6 })
  y = centred(doc, 'Certificate of attendance', y, { size: 28, weight: 700, gap: 14 })
  y = centred(doc, 'This certifies that', y, { size: 13, color: '#475569', gap: 4 })
  y = centred(doc, input.holderName, y, { size: 26, weight: 700, gap: 6 })
  y = centred(doc, 'attended', y, { size: 13, color: '#475569', gap: 4 })
  y = centred(doc, input.talkTitle, y, { size: 18, weight: 700, gap: 6 })
  y = centred(doc, `held by ${input.clubName} on ${dateIn(input.heldAt, input.timeZone)}`, y, { size: 13, color: '#334155', gap: 4 })
  y = centred(doc, `Time attended: ${minutesText(input.minutes)}`, y, { size: 13, color: '#334155', gap: 4 })
  if (input.credits && input.creditProvider) {
    centred(doc, `Credits: ${input.credits}, designated by ${input.creditProvider}`, y, { size: 13, color: '#334155' })
  }

  const qrSize = 110
  const bottom = height - 48 - qrSize
  doc.image(qr, width - 64 - qrSize, bottom, { width: qrSize, height: qrSize })
  line(doc, `Certificate number: ${input.number}`, 64, bottom + 40, 11, '#0f172a')
  line(doc, `Issued on ${dateIn(input.issuedAt, input.timeZone)}`, 64, bottom + 58, 11)
  line(doc, `Check it at ${input.verifyUrl}`, 64, bottom + 76, 11)
  doc.end()
  return done
}
