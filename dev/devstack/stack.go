// Package devstack starts every local stand-in the function talks to —
// the development SMTP server (STARTTLS, a generated CA), a Secrets
// Manager endpoint holding sample stored credentials, and an OAuth token
// endpoint — and gives the environment that points the real bootstrap at
// them. `make run`, `make serve`, the benchmarks and the end-to-end tests
// share it, so what a newcomer runs is what the tests check.
package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devsecrets"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/mailpit"
)

// Accounts the development SMTP server knows; the samples in events/ send
// as these. None of them is a real Gmail account.
var Accounts = map[string]string{
	"sender@gmail.com":  "abcdefghijklmnop",
	"second@gmail.com":  "qrstuvwxyzabcdef",
	"support@gmail.com": "supportapppasswd",
}

// OAuthUser is the account of the sample stored OAuth credential.
const OAuthUser = "oauth@gmail.com"

// Stack is the running stand-ins.
type Stack struct {
	SMTP *devsmtp.Server
	// Mailpit, when Options.Mailpit names its binary, is where the
	// function delivers instead of SMTP (Env points it there).
	Mailpit *mailpit.Server
	// CA signed the SMTP servers' certificates (CAFile holds it).
	CA      *devsmtp.CA
	Secrets *devsecrets.Server
	OAuth   *devoauth.Server
	CAFile  string
	MailDir string
	// ClientSecretFile is a "Desktop app" OAuth client's JSON whose
	// endpoints are the local OAuth server's, for trying `gmailsend oauth
	// login` locally (the local authorization endpoint consents at once).
	ClientSecretFile string
}

// LocalDesktopClient is the installed-app OAuth client ClientSecretFile
// describes; its sign-ins are OAuthUser's.
var LocalDesktopClient = devoauth.App{ID: "local-desktop.apps.googleusercontent.com", Secret: "GOCSPX-local-desktop-secret", User: OAuthUser}

// Options tune the stack.
type Options struct {
	// Dir holds the CA and the delivered .eml files (mail/).
	Dir string
	// RTT delays each SMTP reply, to simulate a network.
	RTT time.Duration
	// Mail adjusts the SMTP server options before it starts.
	Mail func(*devsmtp.Options)
	// Mailpit is the mailpit binary (mailpit.Install); set, the function
	// delivers to Mailpit, which shows the mail in a browser.
	Mailpit string
}

// Start starts the stand-ins and stores the sample credentials
// gmailsend/support-desk (app password), gmailsend/team-desk (the same
// account, only for the first local API key) and gmailsend/oauth-desk
// (OAuth).
func Start(o Options) (*Stack, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	st := &Stack{MailDir: filepath.Join(o.Dir, "mail")}
	st.OAuth = devoauth.Start(time.Hour)
	st.OAuth.Register(devoauth.Client{ID: "local-client.apps.googleusercontent.com", Secret: "local-client-secret",
		RefreshToken: "1//local-refresh-token", User: OAuthUser})
	st.OAuth.RegisterApp(LocalDesktopClient)
	st.ClientSecretFile = filepath.Join(o.Dir, "client_secret.json")
	clientJSON := fmt.Sprintf(`{"installed":{"client_id":%q,"client_secret":%q,"auth_uri":%q,"token_uri":%q,"redirect_uris":["http://localhost"]}}`+"\n",
		LocalDesktopClient.ID, LocalDesktopClient.Secret, st.OAuth.AuthURL, st.OAuth.URL)
	if err := os.WriteFile(st.ClientSecretFile, []byte(clientJSON), 0o600); err != nil {
		st.OAuth.Close()
		return nil, err
	}
	mo := devsmtp.Options{Users: Accounts, Dir: st.MailDir, RTT: o.RTT, TokenStatus: st.OAuth.TokenStatus}
	if o.Mail != nil {
		o.Mail(&mo)
	}
	smtpSrv, ca, caFile, err := devsmtp.StartLocal(mo, o.Dir)
	if err != nil {
		st.OAuth.Close()
		return nil, err
	}
	st.SMTP, st.CA, st.CAFile = smtpSrv, ca, caFile
	if o.Mailpit != "" {
		st.Mailpit, err = mailpit.Start(context.Background(), mailpit.Options{Binary: o.Mailpit, Dir: filepath.Join(o.Dir, "mailpit"), CA: ca, Users: Accounts})
		if err != nil {
			st.SMTP.Close()
			st.OAuth.Close()
			return nil, err
		}
	}
	st.Secrets = devsecrets.Start()
	st.Secrets.Put("gmailsend/support-desk", fmt.Sprintf(`{"user":"support@gmail.com","password":%q}`, Accounts["support@gmail.com"]))
	st.Secrets.Put("gmailsend/"+TeamCredential, fmt.Sprintf(`{"user":"support@gmail.com","password":%q,"allowedCallers":[%q]}`,
		Accounts["support@gmail.com"], APIKeys[0].ID))
	st.Secrets.Put("gmailsend/oauth-desk", fmt.Sprintf(
		`{"user":%q,"oauth":{"clientId":"local-client.apps.googleusercontent.com","clientSecret":"local-client-secret","refreshToken":"1//local-refresh-token","tokenEndpoint":%q}}`,
		OAuthUser, st.OAuth.URL))
	// As the template's generated secret: a fresh random key for the run,
	// outside the credential prefix.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	st.Secrets.Put(FingerprintKeySecret, hex.EncodeToString(key))
	return st, nil
}

// FingerprintKeySecret is the local secret that keys the message records'
// fingerprints (FINGERPRINT_KEY_SECRET).
const FingerprintKeySecret = "gmailsend-local-fingerprint-key"

// Env is the environment that points the function at the stand-ins.
func (st *Stack) Env() []string {
	port := st.SMTP.Port
	if st.Mailpit != nil {
		port = st.Mailpit.SMTPPort()
	}
	return []string{
		"SMTP_HOST=127.0.0.1",
		"SMTP_PORT=" + strconv.Itoa(port),
		"SMTP_CA_FILE=" + st.CAFile,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + st.Secrets.URL,
		"AWS_REGION=ap-northeast-2",
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"OAUTH_TOKEN_URL=" + st.OAuth.URL,
		"FINGERPRINT_KEY_SECRET=" + FingerprintKeySecret,
	}
}

// Close stops every stand-in.
func (st *Stack) Close() {
	if st.Mailpit != nil {
		st.Mailpit.Close()
	}
	st.SMTP.Close()
	st.Secrets.Close()
	st.OAuth.Close()
}
