package email

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpd is a real SMTP server on a loopback port, speaking enough of RFC 5321 for the
// channel: EHLO/HELO, STARTTLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type smtpd struct {
	addr      string // where to listen (default 127.0.0.1:0)
	implicit  bool   // TLS from the first byte (tls mode)
	starttls  bool   // offer STARTTLS
	mechs     []string
	user      string
	pass      string
	reject    map[string]string // GREETING, EHLO, MAIL, RCPT, RCPT:<addr>, DATA → reply
	silent    bool              // accept connections, never say anything
	echoCreds bool              // put the credentials it got into its 535 reply (a hostile server)

	port      int
	connected chan struct{} // a client connected
	mu        sync.Mutex
	mails     []received
	authTries int
}

type received struct {
	From string
	To   []string
	Data string // as sent, CRLF line ends, dot-stuffing undone
	TLS  bool
	User string
}

// start runs s until the test ends.
func (s *smtpd) start(t *testing.T) *smtpd {
	t.Helper()
	if s.addr == "" {
		s.addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.connected = make(chan struct{}, 16)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case s.connected <- struct{}{}:
			default:
			}
			wg.Go(func() { s.session(c) })
		}
	})
	return s
}

func (s *smtpd) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mails)
}

func (s *smtpd) session(c net.Conn) {
	defer func() { c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a broken test must not hang
	if s.silent {
		_, _ = io.Copy(io.Discard, c) // until the client gives up
		return
	}
	env := received{TLS: s.implicit}
	if s.implicit {
		c = tls.Server(c, serverTLS())
	}
	tp := textproto.NewConn(c)
	say := func(line string) { _ = tp.PrintfLine("%s", line) }
	if r := s.reject["GREETING"]; r != "" {
		say(r)
		return
	}
	say("220 smtpd.test ESMTP ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if r := s.reject[verb]; r != "" && verb != "RCPT" && verb != "DATA" {
			say(r)
			continue
		}
		switch verb {
		case "EHLO":
			ext := []string{"smtpd.test", "8BITMIME"}
			if s.starttls && !env.TLS {
				ext = append(ext, "STARTTLS")
			}
			if len(s.mechs) > 0 {
				ext = append(ext, "AUTH "+strings.Join(s.mechs, " "))
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				say("250" + sep + e)
			}
		case "HELO", "NOOP":
			say("250 OK")
		case "RSET":
			env = received{TLS: env.TLS, User: env.User}
			say("250 OK")
		case "STARTTLS":
			if !s.starttls || env.TLS {
				say("502 5.5.1 not here")
				continue
			}
			say("220 2.0.0 go ahead")
			tc := tls.Server(c, serverTLS())
			if tc.Handshake() != nil {
				return
			}
			c, tp, env.TLS = tc, textproto.NewConn(tc), true
		case "AUTH":
			if user, creds, ok := s.authenticate(tp, arg); ok {
				env.User = user
				say("235 2.7.0 authenticated")
			} else if s.echoCreds {
				say("535 5.7.8 bad credentials: " + creds)
			} else {
				say("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			env.From, env.To = addrArg(arg), nil
			say("250 2.1.0 OK")
		case "RCPT":
			to := addrArg(arg)
			if r := s.reject["RCPT:"+to]; r != "" {
				say(r)
			} else if r := s.reject["RCPT"]; r != "" {
				say(r)
			} else {
				env.To = append(env.To, to)
				say("250 2.1.5 OK")
			}
		case "DATA":
			if len(env.To) == 0 {
				say("503 5.5.1 no recipients")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
			data, err := readData(tp.R)
			if err != nil {
				return
			}
			if r := s.reject["DATA"]; r != "" {
				say(r)
				continue
			}
			env.Data = data
			s.mu.Lock()
			s.mails = append(s.mails, env)
			s.mu.Unlock()
			say("250 2.0.0 queued")
		case "QUIT":
			say("221 2.0.0 bye")
			return
		default:
			say("502 5.5.2 unknown command")
		}
	}
}

// authenticate runs AUTH PLAIN or LOGIN; it returns the user name, the credentials as
// they came and whether they match.
func (s *smtpd) authenticate(tp *textproto.Conn, arg string) (user, creds string, ok bool) {
	s.mu.Lock()
	s.authTries++
	s.mu.Unlock()
	mech, initial, _ := strings.Cut(arg, " ")
	mech = strings.ToUpper(mech)
	if !slices.Contains(s.mechs, mech) {
		return "", "", false
	}
	ask := func(prompt string) string {
		_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte(prompt)))
		line, _ := tp.ReadLine()
		return line
	}
	dec := func(b64 string) string {
		b, _ := base64.StdEncoding.DecodeString(b64)
		return string(b)
	}
	switch mech {
	case "PLAIN":
		if initial == "" {
			initial = ask("")
		}
		parts := strings.Split(dec(initial), "\x00")
		if len(parts) != 3 {
			return "", initial, false
		}
		return parts[1], initial, parts[1] == s.user && parts[2] == s.pass
	default: // LOGIN
		if initial == "" {
			initial = ask("Username:")
		}
		user := dec(initial)
		pass := dec(ask("Password:"))
		return user, user + " " + pass, user == s.user && pass == s.pass
	}
}

// addrArg takes the address out of "FROM:<a@b> BODY=8BITMIME".
func addrArg(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// readData reads a DATA section up to the lone dot, keeping line ends as sent.
func readData(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if line == ".\r\n" {
			return b.String(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}

// serverTLS is a self-signed certificate for 127.0.0.1 and localhost, made once.
var serverTLS = sync.OnceValue(func() *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "smtpd.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
})
