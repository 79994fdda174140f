// The signed-in session, shared by every page: who (token id), what they may do (scope), until when,
// and the CSRF token the API wants on each POST.
import { createContext } from "preact"
import { useContext } from "preact/hooks"
import type { SessionInfo } from "../src/console/api/schemas.ts"

export type { SessionInfo }

export interface SessionState {
  readonly session: SessionInfo | undefined
  readonly signIn: (session: SessionInfo) => void
  readonly signOut: () => Promise<void>
}

export const SessionContext = createContext<SessionState>({
  session: undefined,
  signIn: () => {},
  signOut: async () => {}
})

export const useSession = () => useContext(SessionContext)

const RANK = { audit: 1, operate: 2, admin: 3 } as const

export const may = (session: SessionInfo | undefined, needed: keyof typeof RANK) =>
  session !== undefined && RANK[session.scope] >= RANK[needed]
