// The e-mail search sends only a SHA-256 of the address: ASCII whitespace trimmed and A-Z lower-cased,
// the same digest the database indexes (s2s_email_key, sql/0005_projections.sql). @noble/hashes because the browser's
// own crypto.subtle exists only on https and localhost.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"

export const emailKey = (email: string) =>
  bytesToHex(
    sha256(
      new TextEncoder().encode(email.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").replace(/[A-Z]/g, (c) => c.toLowerCase()))
    )
  )
