package alert

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/newsmon/newsmon"
)

// DefaultEmailTimeout bounds one SMTP conversation, from dialling to the
// server's answer to the message.
const DefaultEmailTimeout = 30 * time.Second

// Email is a Notifier that sends an alert to rule.Email through the SMTP
// server of SMTP: a multipart message with a plain-text and an HTML part.
// The server accepting the message is acceptance.
type Email struct {
	SMTP newsmon.SMTPConfig
	// Timeout bounds one send; 0 means DefaultEmailTimeout.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default (system roots, the
	// server's host name); tests use it to trust their own certificate.
	TLSConfig *tls.Config
	// LookupEnv finds the password; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Notify sends one alert as one message. Its Message-ID is derived from
// the alert's ID, so a mail client shows a repeat as the same message.
func (e *Email) Notify(ctx context.Context, rule newsmon.AlertRule, a *newsmon.Alert) error {
	if a == nil {
		return errors.New("email: nil alert")
	}
	html, err := renderHTML("message", viewOf(a))
	if err != nil {
		return err
	}
	return e.send(ctx, rule, a.ID, headline(a), alertText(a), html)
}

// NotifyDigest sends a digest as one message listing its alerts.
func (e *Email) NotifyDigest(ctx context.Context, rule newsmon.AlertRule, d *Digest) error {
	html, err := renderHTML("digest", digestViewOf(d))
	if err != nil {
		return err
	}
	return e.send(ctx, rule, d.ID, digestHeadline(d), digestText(d), html)
}

func (e *Email) send(ctx context.Context, rule newsmon.AlertRule, id, subject, text, html string) error {
	if len(rule.Email) == 0 {
		return fmt.Errorf("email: rule %q has no recipients", rule.Name)
	}
	client, err := e.client()
	if err != nil {
		return err
	}
	m := mail.NewMsg()
	if err := m.From(e.SMTP.From); err != nil {
		return fmt.Errorf("email: smtp.from %q: %w", e.SMTP.From, err)
	}
	if err := m.To(rule.Email...); err != nil {
		return fmt.Errorf("email: rule %q: %w", rule.Name, err)
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageIDWithValue(messageID(id))
	m.SetGenHeader("X-Newsmon-Alert", clean(id, maxHeadline))
	m.SetBodyString(mail.TypeTextPlain, text)
	m.AddAlternativeString(mail.TypeTextHTML, html)

	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultEmailTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("email %s: %w", net.JoinHostPort(e.SMTP.Host, fmt.Sprint(e.port())), err)
	}
	return nil
}

// port is the configured port, or the usual one for the TLS mode: 465 for
// implicit TLS, 587 for submission with STARTTLS.
func (e *Email) port() int {
	switch {
	case e.SMTP.Port != 0:
		return e.SMTP.Port
	case e.SMTP.TLS == "tls":
		return 465
	}
	return 587
}

// client builds a go-mail client for SMTP: STARTTLS required by default,
// implicit TLS for "tls", plain text only to a loopback server for "none";
// authentication when a username is set.
func (e *Email) client() (*mail.Client, error) {
	c := e.SMTP
	if c.Host == "" || c.From == "" {
		return nil, errors.New("email: [smtp] needs host and from")
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultEmailTimeout
	}
	opts := []mail.Option{mail.WithPort(e.port()), mail.WithTimeout(timeout)}
	tlsConfig := e.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	switch c.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConfig))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConfig))
	case "none":
		// A password or an alert in clear text may only cross this
		// machine.
		if !loopbackHost(c.Host) {
			return nil, fmt.Errorf("email: smtp.tls = \"none\" is for a server on this machine, not %s", c.Host)
		}
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("email: smtp.tls %q: want starttls, tls or none", c.TLS)
	}
	if c.Username != "" {
		if c.PasswordEnv == "" {
			return nil, errors.New("email: smtp.username is set but smtp.password_env is empty")
		}
		lookup := e.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		password, ok := lookup(c.PasswordEnv)
		if !ok {
			return nil, fmt.Errorf("email: environment variable %s (smtp.password_env) is not set", c.PasswordEnv)
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(password))
	}
	client, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("email: smtp client: %w", err)
	}
	return client, nil
}

// messageID derives a Message-ID from an alert or digest ID, which may
// hold any character.
func messageID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16]) + "@newsmon.alert"
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
