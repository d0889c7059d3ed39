package setupcli

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/googleoauth"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// testingWarning is printed before every OAuth login: the one trap that
// makes a working setup stop a week later.
const testingWarning = `note: while the OAuth consent screen's publishing status is "Testing", Google
      expires refresh tokens after 7 days (then sends fail with
      oauth_refresh_failed, invalid_grant). Publish the app ("In production")
      in Google Cloud Console → OAuth consent screen for a lasting token.
`

// oauthLogin is `gmailsend oauth login NAME --client-secret-file FILE`.
func (c *command) oauthLogin(ctx context.Context, args []string) error {
	var (
		g         Globals
		file      string
		user      string
		wait      time.Duration
		noBrowser bool
		store     storeFlags
	)
	fs := newFlagSet("oauth login", c.env.Stderr, &g)
	fs.StringVar(&file, "client-secret-file", "", `the JSON of a Google Cloud OAuth client of type "Desktop app" (required)`)
	fs.StringVar(&user, "user", "", "the account to sign in as (default: learnt from the sign-in)")
	fs.DurationVar(&wait, "wait", 5*time.Minute, "how long to wait for the browser")
	fs.BoolVar(&noBrowser, "no-browser", false, "only print the URL; do not try to open a browser")
	store.register(fs)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("--client-secret-file FILE is required (Google Cloud Console → APIs & Services → Credentials → OAuth client ID, Desktop app → Download JSON)")
	}
	if user != "" {
		if _, err := gmailsend.ParseAddress("user", user); err != nil {
			return usagef("--user: %s", gmailsend.AsError(err).Message)
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return usagef("--client-secret-file: %v", err)
	}
	app, err := googleoauth.ParseClientSecretFile(raw)
	if err != nil {
		return err
	}
	cfg, client, err := c.loginTargets(ctx, &g)
	if err != nil {
		return err
	}
	c.notef("%s", testingWarning)
	login := &googleoauth.InstalledLogin{Client: app, User: user, HTTPClient: c.env.HTTPClient,
		Show: func(u string) {
			c.notef("\nOpen this URL in a browser, sign in and allow access:\n\n  %s\n\nwaiting up to %s for the browser to come back…\n", u, wait)
			if !noBrowser {
				_ = c.openBrowser(u) // the printed URL is the fallback
			}
		}}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	grant, err := login.Run(waitCtx)
	if err != nil {
		return nothingStored(err)
	}
	if err := c.verifyLogin(ctx, &g, cfg, smtp.Credentials{User: grant.User, AccessToken: grant.AccessToken}); err != nil {
		return nothingStored(err)
	}
	c.notef("logged in to %s as %s with XOAUTH2 (nothing was sent)\n", g.server(), grant.User)
	secret := credential.Secret{User: grant.User, OAuth: &credential.OAuth{
		ClientID: app.ClientID, ClientSecret: app.ClientSecret, RefreshToken: grant.RefreshToken,
	}}
	if app.TokenURL != googleoauth.GoogleTokenURL {
		// The function refreshes at the endpoint the client file named.
		secret.OAuth.TokenEndpoint = app.TokenURL
	}
	value, err := jsonString(secret)
	if err != nil {
		return err
	}
	return c.store(ctx, client, &g, name, grant.User, value, store)
}

// openBrowser opens u with the platform's opener. On Linux only with a
// graphical session: xdg-open in an SSH session may start a text browser
// that takes over the terminal.
func (c *command) openBrowser(u string) error {
	if c.env.OpenBrowser != nil {
		return c.env.OpenBrowser(u)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if c.env.Getenv("DISPLAY") == "" && c.env.Getenv("WAYLAND_DISPLAY") == "" {
			return nil
		}
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
