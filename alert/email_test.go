package alert

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/newsmon/newsmon"
)

// smtpMessage is one message the test SMTP server took.
type smtpMessage struct {
	from string
	to   []string
	user string // who authenticated, if anyone
	tls  bool
	data []byte
}

// smtpSink is an SMTP server in the test process (emersion/go-smtp) that
// keeps what it receives.
type smtpSink struct {
	user, pass string // when set, AUTH PLAIN is required
	mu         sync.Mutex
	messages   []smtpMessage
}

func (s *smtpSink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &smtpSession{sink: s, msg: smtpMessage{tls: isTLS}}, nil
}

func (s *smtpSink) received() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.messages...)
}

type smtpSession struct {
	sink *smtpSink
	msg  smtpMessage
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if s.sink.user == "" || user != s.sink.user || pass != s.sink.pass {
			return errors.New("invalid credentials")
		}
		s.msg.user = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.sink.user != "" && s.msg.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, 10<<20))
	if err != nil {
		return err
	}
	s.msg.data = data
	s.sink.mu.Lock()
	s.sink.messages = append(s.sink.messages, s.msg)
	s.sink.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.msg = smtpMessage{tls: s.msg.tls, user: s.msg.user} }
func (s *smtpSession) Logout() error { return nil }

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "newsmon test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startSMTP serves sink on loopback; mode is none, starttls or tls.
func startSMTP(t *testing.T, sink *smtpSink, mode string) (port int, client *tls.Config) {
	t.Helper()
	cert, pool := selfSigned(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var ln net.Listener
	var err error
	switch mode {
	case "tls":
		ln, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	case "starttls":
		srv.TLSConfig = serverTLS
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		srv.AllowInsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		ln.Close() // Serve may not have registered it with srv yet
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("SMTP server did not stop")
		}
	})
	return ln.Addr().(*net.TCPAddr).Port, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// mailParts reads a message: its decoded subject and its parts by media
// type, each decoded from its transfer encoding.
func mailParts(t *testing.T, data []byte) (subject string, header mail.Header, parts map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	parts = map[string]string{}
	var walk func(ctype, cte string, body io.Reader)
	walk = func(ctype, cte string, body io.Reader) {
		media, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("content type %q: %v", ctype, err)
		}
		if strings.HasPrefix(media, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("part: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		if strings.EqualFold(cte, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("read %s: %v", media, err)
		}
		parts[media] = string(b)
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return subject, msg.Header, parts
}

func TestEmailDelivery(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	alert := sampleAgreement("agr-mail", "mail-rule", at, "astanatimes", "trend")
	alert.Articles[0].Title = "<script>alert('x')</script> Caspian cable deal"
	alert.Articles[1].URL = "javascript:alert(document.cookie)"
	alert.Event.Sentence = "Azerbaijan and Kazakhstan signed a <b>memorandum</b> on a Caspian power cable."

	tests := []struct {
		name     string
		mode     string
		user     string
		password map[string]string
	}{
		{name: "plain to a loopback server", mode: "none"},
		{name: "STARTTLS with authentication", mode: "starttls", user: "alerts@newsmon.test", password: map[string]string{"SMTP_PASSWORD": "p4ss word"}},
		{name: "implicit TLS", mode: "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &smtpSink{user: tt.user, pass: tt.password["SMTP_PASSWORD"]}
			port, clientTLS := startSMTP(t, sink, tt.mode)
			cfg := newsmon.SMTPConfig{Host: "127.0.0.1", Port: port, From: "newsmon@newsmon.test", TLS: tt.mode}
			if tt.user != "" {
				cfg.Username, cfg.PasswordEnv = tt.user, "SMTP_PASSWORD"
			}
			e := &Email{SMTP: cfg, TLSConfig: clientTLS, Timeout: 10 * time.Second,
				LookupEnv: func(k string) (string, bool) { v, ok := tt.password[k]; return v, ok }}
			rule := newsmon.AlertRule{Name: "mail-rule", On: "agreement", Email: []string{"analyst@newsmon.test", "desk@newsmon.test"}}
			if err := e.Notify(context.Background(), rule, alert); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			msgs := sink.received()
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages, want 1", len(msgs))
			}
			m := msgs[0]
			if m.from != cfg.From || strings.Join(m.to, ",") != "analyst@newsmon.test,desk@newsmon.test" {
				t.Errorf("envelope from %q to %v", m.from, m.to)
			}
			if m.tls != (tt.mode != "none") || m.user != tt.user {
				t.Errorf("tls %v user %q", m.tls, m.user)
			}
			subject, header, parts := mailParts(t, m.data)
			if want := "Signed: memorandum — Azerbaijan, Kazakhstan"; subject != want {
				t.Errorf("subject %q, want %q", subject, want)
			}
			if header.Get("Message-Id") != "<"+messageID(alert.ID)+">" {
				t.Errorf("Message-ID %q", header.Get("Message-Id"))
			}
			plain, html := parts["text/plain"], parts["text/html"]
			for _, s := range []string{"Parties:    Azerbaijan, Kazakhstan", ">> Azerbaijan and Kazakhstan signed a <b>memorandum</b>",
				"https://astanatimes.example/news/caspian-cable-0", "<script>alert('x')</script> Caspian cable deal"} {
				if !strings.Contains(plain, s) {
					t.Errorf("plain part lacks %q:\n%s", s, plain)
				}
			}
			for _, s := range []string{"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Caspian cable deal",
				`<mark style="background:#fff3a0">Azerbaijan and Kazakhstan signed a &lt;b&gt;memorandum&lt;/b&gt; on a Caspian power cable.</mark>`,
				`<a href="https://astanatimes.example/news/caspian-cable-0">`, `<a href="#ZgotmplZ">`} {
				if !strings.Contains(html, s) {
					t.Errorf("HTML part lacks %q:\n%s", s, html)
				}
			}
			for _, s := range []string{"<script>", "<b>", "javascript:"} {
				if strings.Contains(html, s) {
					t.Errorf("HTML part holds unescaped %q:\n%s", s, html)
				}
			}
		})
	}
}

func TestEmailConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		cfg    newsmon.SMTPConfig
		errHas string
	}{
		{name: "plain text to a remote server", cfg: newsmon.SMTPConfig{Host: "mail.example.com", From: "a@b.test", TLS: "none"}, errHas: "not mail.example.com"},
		{name: "password variable unset", cfg: newsmon.SMTPConfig{Host: "127.0.0.1", From: "a@b.test", Username: "u", PasswordEnv: "NEWSMON_NO_SUCH_VAR"}, errHas: "NEWSMON_NO_SUCH_VAR (smtp.password_env) is not set"},
		{name: "username without password_env", cfg: newsmon.SMTPConfig{Host: "127.0.0.1", From: "a@b.test", Username: "u"}, errHas: "password_env is empty"},
		{name: "no host", cfg: newsmon.SMTPConfig{From: "a@b.test"}, errHas: "needs host and from"},
		{name: "unknown TLS mode", cfg: newsmon.SMTPConfig{Host: "127.0.0.1", From: "a@b.test", TLS: "ssl3"}, errHas: `"ssl3"`},
	}
	alert := sampleAgreement("agr-x", "r", time.Now(), "trend")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Email{SMTP: tt.cfg, LookupEnv: func(string) (string, bool) { return "", false }}
			err := e.Notify(context.Background(), newsmon.AlertRule{Name: "r", Email: []string{"x@y.test"}}, alert)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("error %v, want it to contain %q", err, tt.errHas)
			}
		})
	}
}
