// The frame of every signed-in page: a skip link, the navigation, who is signed in with which scope,
// and the log-out.
import type { ComponentChildren } from "preact"
import { Link, useLocation } from "wouter-preact"
import { useSession } from "../session.ts"

const NAV = [
  ["/orders", "Orders"],
  ["/attention", "Needs attention"],
  ["/rules", "Rules"],
  ["/coverage", "Coverage"],
  ["/queue", "Queue"]
] as const

export const Layout = (props: { children: ComponentChildren }) => {
  const { session, signOut } = useSession()
  const [location] = useLocation()
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">s2s console</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map(([href, label]) => {
              const current = location === href || (href === "/orders" && location === "/order")
              return (
                <li key={href}>
                  <Link href={href} aria-current={current ? "page" : undefined}>
                    {label}
                  </Link>
                </li>
              )
            })}
          </ul>
        </nav>
        {session === undefined ? null : (
          <div class="who">
            <span title={`session until ${new Date(session.expiresAt).toLocaleString()}`}>
              {session.tokenId} · <strong>{session.scope}</strong>
            </span>
            <button type="button" class="button-quiet" onClick={() => void signOut()}>
              Log out
            </button>
          </div>
        )}
      </header>
      <main id="main">{props.children}</main>
    </>
  )
}
