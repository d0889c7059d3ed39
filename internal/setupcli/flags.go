package setupcli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// Globals are the flags of the subcommands that log in and store
// (credentials, oauth), anywhere on the line; send takes only Timeout.
type Globals struct {
	Prefix   string
	SMTPHost string
	SMTPPort int
	CAFile   string
	Region   string
	Profile  string
	Timeout  time.Duration
}

func (g *Globals) register(fs *flag.FlagSet) {
	d := smtp.DefaultConfig()
	fs.StringVar(&g.Prefix, "prefix", credential.DefaultPolicy().Prefix, "Secrets Manager name prefix of stored credentials (as CREDENTIAL_PREFIX)")
	fs.StringVar(&g.SMTPHost, "smtp-host", d.Host, "SMTP submission server")
	fs.IntVar(&g.SMTPPort, "smtp-port", d.Port, "587 (STARTTLS) or 465 (implicit TLS)")
	fs.StringVar(&g.CAFile, "ca-file", "", "extra PEM CAs for the SMTP server (as SMTP_CA_FILE)")
	fs.StringVar(&g.Region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&g.Profile, "profile", "", "AWS shared-config profile (default: AWS_PROFILE or default)")
	g.registerTimeout(fs)
}

// registerTimeout is the one global flag send takes: it talks to the
// endpoint only, never to the SMTP server or AWS.
func (g *Globals) registerTimeout(fs *flag.FlagSet) {
	fs.DurationVar(&g.Timeout, "timeout", 30*time.Second, "bound on each network step")
}

// smtpConfig is the function's SMTP configuration with these flags: the
// same TLS rules, no session reuse (one check, then done).
func (g *Globals) smtpConfig() (smtp.Config, error) {
	cfg := smtp.DefaultConfig()
	cfg.Host, cfg.Port, cfg.IdleTimeout, cfg.SafetyMargin = g.SMTPHost, g.SMTPPort, 0, 0
	if g.CAFile != "" {
		roots, err := smtp.LoadRootCAs(g.CAFile)
		if err != nil {
			return smtp.Config{}, usagef("--ca-file: %v", err)
		}
		cfg.RootCAs = roots
	}
	return cfg, nil
}

func (g *Globals) server() string { return fmt.Sprintf("%s:%d", g.SMTPHost, g.SMTPPort) }

// newFlagSet is a subcommand's flags with the globals registered.
func newFlagSet(name string, stderr io.Writer, g *Globals) *flag.FlagSet {
	fs := flag.NewFlagSet("gmailsend "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	g.register(fs)
	return fs
}

// parseInterleaved parses flags before, between and after positional
// arguments ("put NAME --user X" and "put --user X NAME" both work), which
// the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseName parses a credentials subcommand's flags, wherever they stand,
// and returns its single NAME argument.
func parseName(fs *flag.FlagSet, args []string) (string, error) {
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return "", err
	}
	if len(positional) != 1 {
		return "", usagef("expected one credential NAME, got %d arguments", len(positional))
	}
	if err := credential.CheckName(positional[0]); err != nil {
		return "", usagef("NAME %q %s", positional[0], gmailsend.AsError(err).Message)
	}
	return positional[0], nil
}

// listFlag is a repeatable flag; each use may also hold a comma-separated
// list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// tagFlag collects --tag key=value.
type tagFlag map[string]string

func (t tagFlag) String() string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k+"="+t[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (t tagFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	t[k] = val
	return nil
}
