package app_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
)

// secretMap is a hand-written secret store.
type secretMap map[string]string

func (m secretMap) FetchSecret(_ context.Context, id string) ([]byte, error) {
	if v, ok := m[id]; ok {
		return []byte(v), nil
	}
	return nil, gmailsend.Errorf(gmailsend.CodeCredentialNotFound, "credential", "no such credential")
}

// TestBounceReaderRefusesPlaintextIMAP ensures an IMAP server without TLS
// gets no credentials from the assembled reader, the account's result is
// tls_required, an unknown credential is credential_not_found, the other
// accounts still run, and the invocation fails so it alarms.
func TestBounceReaderRefusesPlaintextIMAP(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	plain, err := devimap.Start(devimap.Options{Users: map[string]string{fixture.User: fixture.Password}, Capture: true})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	cfg := app.Defaults()
	cfg.MessagesTable = "messages"
	cfg.Bounces.IMAPHost, cfg.Bounces.IMAPPort = "127.0.0.1", plain.Port
	cfg.Bounces.Credentials = []string{"desk", "missing"}
	log := &fixture.SyncBuffer{}
	b, err := bounceapp.Build(cfg, app.Parts{DynamoDB: client, Log: log,
		Secrets: secretMap{"gmailsend/desk": `{"user":"` + fixture.User + `","password":"` + fixture.Password + `"}`}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := b.Invoke(ctx, nil)
	if err == nil || len(sum.Accounts) != 2 || sum.Accounts[0].Error != "tls_required" || sum.Accounts[1].Error != "credential_not_found" {
		t.Fatalf("summary %+v, err %v", sum, err)
	}
	if a := plain.AuthAttempts(); len(a) != 0 || strings.Contains(string(plain.Received()), fixture.Password) {
		t.Errorf("the plaintext server got credentials: %+v", a)
	}
	if strings.Contains(log.String(), fixture.Password) || !strings.Contains(log.String(), `"code":"tls_required"`) {
		t.Errorf("log:\n%s", log)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("the run timed out instead of failing fast")
	}
}

// TestBounceReaderOAuthRefresh ensures an OAuth account's inbox is read
// with XOAUTH2 over TLS using the token cache, and a token the server
// rejects (expired early) is refreshed once and the run goes on.
func TestBounceReaderOAuthRefresh(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	oauth := devoauth.Start(time.Hour)
	defer oauth.Close()
	const user = "oauth-reader@gmail.com"
	oauth.Register(devoauth.Client{ID: "cid", Secret: "csecret", RefreshToken: "1//reader", User: user})
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	imap, err := devimap.StartLocal(devimap.Options{Users: map[string]string{user: "unused-password-2"}, TokenStatus: oauth.TokenStatus}, ca)
	if err != nil {
		t.Fatal(err)
	}
	defer imap.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.SMTPCAFile = "messages", caFile
	cfg.Bounces.IMAPHost, cfg.Bounces.IMAPPort, cfg.Bounces.Credentials = "127.0.0.1", imap.Port, []string{"oauth-desk"}
	b, err := bounceapp.Build(cfg, app.Parts{DynamoDB: client, Secrets: secretMap{"gmailsend/oauth-desk": `{"user":"` + user +
		`","oauth":{"clientId":"cid","clientSecret":"csecret","refreshToken":"1//reader","tokenEndpoint":"` + oauth.URL + `"}}`}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if sum, err := b.Invoke(ctx, nil); err != nil || sum.Accounts[0].Error != "" {
		t.Fatalf("first run: %+v %v", sum, err)
	}
	oauth.ExpireAll() // the cached token is now refused
	if sum, err := b.Invoke(ctx, nil); err != nil || sum.Accounts[0].Error != "" {
		t.Fatalf("run after expiry: %+v %v", sum, err)
	}
	var mechs []string
	for _, a := range imap.AuthAttempts() {
		if !a.TLS {
			t.Fatal("authenticated without TLS")
		}
		mechs = append(mechs, fmt.Sprintf("%s:%v", a.Mechanism, a.OK))
	}
	if got := strings.Join(mechs, " "); got != "XOAUTH2:true XOAUTH2:false XOAUTH2:true" || oauth.Requests() != 2 {
		t.Errorf("attempts %s, %d token requests", got, oauth.Requests())
	}
}
