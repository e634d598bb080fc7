package main

import (
	"log/slog"
	"net/http"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/alert"
	"github.com/newsmon/newsmon/web"
)

// webOptions wires the web server of `serve` and `demo` to the
// configuration: the sources (for the kind filter and the sources page),
// the topic and party names (for the search form), the alerts feed.
func webOptions(cfg *newsmon.Config, token string, metrics *web.Metrics, log *slog.Logger) web.Options {
	opts := web.Options{Token: token, Atom: alert.WriteAtom, Metrics: metrics, Log: log, Sources: cfg.Sources}
	for _, t := range cfg.Topics {
		opts.Topics = append(opts.Topics, t.Name)
	}
	for _, p := range cfg.Parties {
		opts.Parties = append(opts.Parties, p.Name)
	}
	return opts
}

// Bounds of the web server's connections, so that slow or idle clients
// cannot pile up: a request must arrive whole in time, an idle keep-alive
// connection is closed, headers stay small.
const (
	webReadHeaderTimeout = 10 * time.Second
	webReadTimeout       = 30 * time.Second
	webIdleTimeout       = 2 * time.Minute
	webMaxHeaderBytes    = 64 << 10
)

// newWebServer returns the HTTP server of `serve` and `demo` around h. It
// has no WriteTimeout: package web sets a write deadline on each response
// and moves it on as an export streams, so a long export to a client that
// reads is not cut, and one to a client that stopped reading is.
func newWebServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: webReadHeaderTimeout,
		ReadTimeout:       webReadTimeout,
		IdleTimeout:       webIdleTimeout,
		MaxHeaderBytes:    webMaxHeaderBytes,
	}
}
