package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sessionCookie is the cookie the login form sets: its expiry time and
// an HMAC of it keyed by the token, never the token itself. A cookie that
// leaks (a shared profile, a debugging proxy) does not reveal the token
// and stops working when it expires, whatever the browser does with
// MaxAge; changing the token ends every session.
const sessionCookie = "newsmon_session"

// sessionLifetime is how long a browser stays logged in.
const sessionLifetime = 30 * 24 * time.Hour

// sessionValue is the cookie value of a session of token that ends at
// expires: "UNIXSECONDS.HEXMAC".
func sessionValue(token string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + hex.EncodeToString(sessionMAC(token, exp))
}

func sessionMAC(token, exp string) []byte {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("newsmon web session v2\x1f" + exp))
	return mac.Sum(nil)
}

// validSession reports whether v is a session cookie of token that has
// not expired at now.
func validSession(token, v string, now time.Time) bool {
	exp, macHex, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= secs {
		return false
	}
	got, err := hex.DecodeString(macHex)
	return err == nil && hmac.Equal(got, sessionMAC(token, exp))
}

// tokenEqual compares a presented token with the server's in constant
// time; comparing digests keeps the token's length from leaking too.
func tokenEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

type loginPage struct {
	base
	Next     string
	Disabled bool // no token is configured: there is nothing to log in to
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	page := loginPage{base: s.base(r, "Log in", ""), Next: localPath(r.URL.Query().Get("next")), Disabled: s.opts.Token == ""}
	s.render(w, r, http.StatusOK, "login", page)
}

// login checks the token typed into the form and sets the session cookie.
// The cookie is HttpOnly (no script can read it) and SameSite=Strict (no
// other site can make the browser send it); the form itself is guarded by
// CrossOriginProtection, so another site cannot log a browser in either.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostFormValue("next"))
	got := r.PostFormValue("token")
	if s.opts.Token == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if !tokenEqual(got, s.opts.Token) {
		page := loginPage{base: s.base(r, "Log in", ""), Next: next}
		page.Error = "That token is not the one this server was started with."
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sessionValue(s.opts.Token, time.Now().Add(sessionLifetime)), Path: "/",
		MaxAge: int(sessionLifetime / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// localPath returns p when it is a path on this server, else "/": the
// login form must not become an open redirect. Browsers drop tabs and
// line breaks from a Location and read a backslash as a slash, so
// "/\t/evil.example" would lead off the site: no control character gets
// through.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return p
}
