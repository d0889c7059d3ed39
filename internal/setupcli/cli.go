// Package setupcli is the gmailsend command a user runs on their own
// machine to set up and try a deployment: store an app password after
// proving it logs in (credentials put), check a stored credential
// (credentials verify), obtain and store an OAuth refresh token with the
// installed-app flow (oauth login), send one message through a deployed
// endpoint (send), manage a deployment's webhook endpoints and check a
// received webhook's signature (webhooks).
//
// It reuses the function's own packages, so a check here fails exactly as
// a send would: the SMTP login of package smtp (same codes, same hints), the
// stored-secret format and name rules of package credential, Secrets Manager
// through package awssecrets, Google's endpoints through googleoauth.
//
// It never prints, logs or passes on the command line a password, refresh
// token or client secret; the password is read without echo or from a pipe.
// The one secret it prints is a webhook signing secret, by webhooks add and
// rotate, whose whole point is to hand it over (the API shows it only then).
// It does not deploy anything: that is SAM's job.
package setupcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Env is everything the command reaches outside itself. main fills it
// from the process; tests point it at local stand-ins.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ReadPassword reads a secret without echo; nil reads from Stdin (see
	// readPassword).
	ReadPassword func(prompt string) (string, error)
	// OpenBrowser opens a URL for the user; nil tries the platform's
	// opener. Its failure is never fatal: the URL is printed as well.
	OpenBrowser func(url string) error
	// Secrets returns the Secrets Manager client; nil loads the AWS SDK's
	// standard configuration chain (AWS_REGION, AWS_PROFILE,
	// AWS_ENDPOINT_URL_SECRETS_MANAGER, …) with --region and --profile.
	Secrets func(ctx context.Context, g *Globals) (*secretsmanager.Client, error)
	// HTTPClient makes the OAuth token and send requests; nil: defaults
	// with their own timeouts.
	HTTPClient *http.Client
}

// FromProcess is the Env of a real run.
func FromProcess() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// Exit statuses.
const (
	ExitOK     = 0
	ExitFailed = 1 // the operation failed; the error and what to do are printed
	ExitUsage  = 2 // the command line is wrong
)

// usageFormat is `gmailsend help`; docs/credentials.md's section "The
// gmailsend command" shows the same spellings.
const usageFormat = `gmailsend sets up and tries a gmailsend deployment.

Usage:
  gmailsend credentials put NAME --user ADDRESS [--replace] [--kms-key-id K] [--tag k=v]...
      read an app password (without echo, or from stdin), prove it logs in to
      the SMTP server (nothing is sent), store it as the secret <prefix>NAME
  gmailsend credentials verify NAME
      fetch the stored credential and prove it logs in (app password or OAuth)
  gmailsend oauth login NAME --client-secret-file FILE [--user ADDRESS]
      sign in with Google in a browser (installed-app flow), prove the token
      logs in, store {"user", "oauth": {clientId, clientSecret, refreshToken}}
  gmailsend send --endpoint URL --api-key KEY [--credential NAME] --to ADDRESS
                 --subject TEXT --html HTML
      send one message through a deployed endpoint and print the answer
  gmailsend templates put NAME [--file F]     (the body from F or stdin)
  gmailsend templates get NAME [--version N]
  gmailsend templates list
  gmailsend templates render NAME [--file F]  ({"variables": {…}})
      the stored templates of a deployment (--endpoint, --api-key as send)
  gmailsend webhooks add --url URL [--events TYPE,...] [--description TEXT]
                         [--credentials NAME,...]
  gmailsend webhooks list | show ID | remove ID | rotate ID | test ID | enable ID
      the webhook endpoints of a deployment (--endpoint, --api-key as send);
      add and rotate print the signing secret, once
  gmailsend webhooks verify --secret whsec_... --id ID --timestamp T
                            --signature S < BODY     (or --header-file F)
      check a received webhook's signature as a receiver must: prints
      "valid", or exits 1 with the reason's code

Flags of credentials and oauth (they log in to the SMTP server and store):
  --prefix P       secret name prefix (default gmailsend/, as CREDENTIAL_PREFIX)
  --smtp-host H    SMTP server (default smtp.gmail.com)
  --smtp-port N    587 for STARTTLS (default) or 465 for implicit TLS
  --ca-file F      extra PEM CAs for the SMTP server (as SMTP_CA_FILE)
  --region R, --profile P   AWS region and profile (default: the SDK's chain)
Every subcommand:
  --timeout D      bound on each network step (default 30s)

Try them locally first: make serve prints these lines against its local
Secrets Manager, SMTP server and endpoint.

Run "gmailsend help SUBCOMMAND" or "gmailsend SUBCOMMAND -h" for a
subcommand's flags.
`

// groups are the commands that only hold subcommands.
var groups = map[string]string{
	"credentials": "gmailsend credentials put NAME --user ADDRESS   store an app password after proving it logs in\n" +
		"gmailsend credentials verify NAME             prove a stored credential logs in\n",
	"oauth":    "gmailsend oauth login NAME --client-secret-file FILE   obtain and store an OAuth refresh token\n",
	"webhooks": webhooksGroupUsage(), // webhooks.go
}

// Run runs one command line (without the program name) and returns the
// exit status.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	c := &command{env: env}
	if len(args) > 1 && args[0] == "help" {
		// "help send", "help credentials put": the subcommand's own help.
		return Run(ctx, append(append([]string(nil), args[1:]...), "-h"), env)
	}
	if len(args) > 0 && groups[args[0]] != "" && (len(args) == 1 || isHelp(args[1])) {
		return groupUsage(args, env)
	}
	var err error
	switch sub := subcommand(args); sub {
	case "credentials put":
		err = c.credentialsPut(ctx, args[2:])
	case "credentials verify":
		err = c.credentialsVerify(ctx, args[2:])
	case "oauth login":
		err = c.oauthLogin(ctx, args[2:])
	case "send":
		err = c.send(ctx, args[1:])
	case "templates put", "templates get", "templates list", "templates render":
		err = c.templates(ctx, args[1], args[2:]) // templates.go
	case "webhooks add", "webhooks list", "webhooks show", "webhooks remove", "webhooks rotate", "webhooks test", "webhooks enable", "webhooks verify":
		err = c.webhooks(ctx, args[1], args[2:]) // webhooks.go
	case "help":
		fmt.Fprint(env.Stdout, usageFormat)
		return ExitOK
	default:
		fmt.Fprint(env.Stderr, usageFormat)
		if sub != "" {
			fmt.Fprintf(env.Stderr, "\ngmailsend: unknown command %q\n", sub)
		}
		return ExitUsage
	}
	var usage *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &usage):
		fmt.Fprintf(env.Stderr, "gmailsend: %s\n", usage.msg)
		return ExitUsage
	}
	c.report(err)
	return ExitFailed
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// groupUsage answers "gmailsend credentials" (exit 2) and "gmailsend
// credentials -h" (exit 0) with the group's subcommands.
func groupUsage(args []string, env Env) int {
	text := "Usage:\n" + indent(groups[args[0]]) + "Run \"gmailsend " + args[0] + " SUBCOMMAND -h\" for its flags.\n"
	if len(args) > 1 {
		fmt.Fprint(env.Stdout, text)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "%sgmailsend: %s needs a subcommand\n", text, args[0])
	return ExitUsage
}

func indent(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line != "" {
			b.WriteString("  " + line)
		}
	}
	return b.String()
}

// subcommand names what args ask for: "credentials put", "send", "help"…
func subcommand(args []string) string {
	switch {
	case len(args) == 0:
		return ""
	case isHelp(args[0]):
		return "help"
	case args[0] == "send":
		return "send"
	case (args[0] == "credentials" || args[0] == "oauth" || args[0] == "templates" || args[0] == "webhooks") && len(args) > 1:
		return args[0] + " " + args[1]
	}
	return args[0]
}

// command is one run: the environment and what the subcommand prints.
type command struct {
	env Env
	// remote is set when the error being reported is the deployed
	// function's answer, whose advice names the function's settings
	// rather than this command's flags.
	remote bool
}

func (c *command) printf(format string, args ...any) { fmt.Fprintf(c.env.Stdout, format, args...) }

func (c *command) notef(format string, args ...any) { fmt.Fprintf(c.env.Stderr, format, args...) }

// usageError is a wrong command line, answered with exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}
