package crawler

import (
	"net/url"
	"path"
	"sort"
	"strings"
)

// trackingParams are query parameters that only tell a site where a click
// came from; two URLs that differ only in them hold the same page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"ocid": true, "cmpid": true, "ncid": true, "sr_share": true, "share": true,
	"from": false, // kept: some sites use it for content
}

// junkExtensions are files that never hold an article.
var junkExtensions = map[string]bool{
	".pdf": true, ".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".svg": true, ".zip": true, ".rar": true, ".gz": true, ".doc": true, ".docx": true,
	".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".mp3": true, ".mp4": true,
	".avi": true, ".mov": true, ".webm": true, ".ico": true, ".css": true, ".js": true,
	".json": true, ".exe": true, ".dmg": true, ".apk": true,
}

// canonicalURL resolves ref against base and returns the form under which
// the page is known: lower-case scheme and host, no default port, no
// fragment, no tracking parameters, the remaining query parameters sorted.
// ok is false for what is not an http(s) URL.
func canonicalURL(base *url.URL, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 4096 {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	if p := u.Port(); (p == "80" && u.Scheme == "http") || (p == "443" && u.Scheme == "https") {
		u.Host = u.Hostname()
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// A query Go cannot split (";" separators, stray "%"): keep it
			// as it is rather than lose the part that names the page.
			u.Fragment, u.RawFragment, u.ForceQuery = "", "", false
			return u.String(), true
		}
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				delete(q, k)
			}
		}
		u.RawQuery = encodeSorted(q)
	}
	u.ForceQuery = false
	return u.String(), true
}

func encodeSorted(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// trapReason says why a URL looks like a crawler trap or a file that holds
// no article, or "" when it looks fine.
func trapReason(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable"
	}
	if len(raw) > 1024 {
		return "URL longer than 1024 bytes"
	}
	if junkExtensions[strings.ToLower(path.Ext(u.Path))] {
		return "not a page (" + path.Ext(u.Path) + ")"
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) > 12 {
		return "path deeper than 12 segments"
	}
	seen := map[string]int{}
	for _, s := range segs {
		if s == "" {
			continue
		}
		seen[s]++
		if seen[s] >= 3 {
			return "path repeats a segment"
		}
	}
	if len(u.Query()) > 8 {
		return "more than 8 query parameters"
	}
	return ""
}

// sameSite reports whether two hosts are the same site, ignoring a leading
// "www.".
func sameSite(a, b string) bool {
	return strings.TrimPrefix(strings.ToLower(a), "www.") == strings.TrimPrefix(strings.ToLower(b), "www.")
}
