package setupcli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/googleoauth"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// storeFlags are where and how a credential is stored.
type storeFlags struct {
	kmsKeyID string
	tags     tagFlag
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	s.tags = tagFlag{}
	fs.StringVar(&s.kmsKeyID, "kms-key-id", "", "KMS key (id, ARN or alias) to encrypt a new secret with (default: aws/secretsmanager)")
	fs.Var(s.tags, "tag", "tag a new secret: key=value (repeatable)")
}

// credentialsPut is `gmailsend credentials put NAME --user ADDRESS`.
func (c *command) credentialsPut(ctx context.Context, args []string) error {
	var (
		g       Globals
		user    string
		replace bool
		store   storeFlags
	)
	fs := newFlagSet("credentials put", c.env.Stderr, &g)
	fs.StringVar(&user, "user", "", "the Gmail or Workspace address the app password belongs to (required)")
	fs.BoolVar(&replace, "replace", false, "replace a stored credential of another account")
	store.register(fs)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	if user == "" {
		return usagef("--user ADDRESS is required: the account the app password belongs to")
	}
	if _, err := gmailsend.ParseAddress("user", user); err != nil {
		return usagef("--user: %s", gmailsend.AsError(err).Message)
	}
	cfg, client, err := c.loginTargets(ctx, &g)
	if err != nil {
		return err
	}
	if err := c.checkReplace(ctx, client, &g, name, user, replace); err != nil {
		return err
	}
	password, err := c.readPassword(ctx, "App password for "+user+" (input hidden): ")
	if err != nil {
		return err
	}
	if err := c.verifyLogin(ctx, &g, cfg, smtp.Credentials{User: user, Password: password}); err != nil {
		return nothingStored(err)
	}
	c.notef("logged in to %s as %s (nothing was sent)\n", g.server(), user)
	value, err := jsonString(credential.Secret{User: user, Password: password})
	if err != nil {
		return err
	}
	return c.store(ctx, client, &g, name, user, value, store)
}

// credentialsVerify is `gmailsend credentials verify NAME`: the function's
// own resolution (prefix, format checks, OAuth refresh) and login.
func (c *command) credentialsVerify(ctx context.Context, args []string) error {
	var g Globals
	fs := newFlagSet("credentials verify", c.env.Stderr, &g)
	name, err := parseName(fs, args)
	if err != nil {
		return err
	}
	cfg, client, err := c.loginTargets(ctx, &g)
	if err != nil {
		return err
	}
	tokens := googleoauth.New()
	if c.env.HTTPClient != nil {
		tokens.HTTPClient = c.env.HTTPClient
	}
	resolver := credential.NewResolver(credential.Policy{Prefix: g.Prefix}, awssecrets.NewWithAPI(client), tokens)
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	login, err := resolver.Resolve(step, &gmailsend.Request{Credential: name}, credential.IAM)
	if err != nil {
		return err
	}
	kind := "app password"
	if login.AccessToken != "" {
		kind = "OAuth (a fresh access token)"
	}
	creds := smtp.Credentials{User: login.User, Password: login.Password, AccessToken: login.AccessToken}
	if err := c.verifyLogin(ctx, &g, cfg, creds); err != nil {
		return err
	}
	c.printf("ok: %s%s logs in to %s as %s with its %s (nothing was sent)\n", g.Prefix, name, g.server(), login.User, kind)
	return nil
}

// checkReplace refuses, before any password is typed, to overwrite a
// stored credential of another account unless --replace says so: every
// caller sending with NAME would silently start sending as user. A secret
// that cannot be read or parsed is overwritten as before, with a note.
func (c *command) checkReplace(ctx context.Context, client awssecrets.API, g *Globals, name, user string, replace bool) error {
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	raw, err := awssecrets.NewWithAPI(client).FetchSecret(step, g.Prefix+name)
	if gmailsend.CodeOf(err) == gmailsend.CodeCredentialNotFound {
		return nil
	}
	if err != nil {
		c.notef("note: the existing secret %s%s could not be read to compare its account (%s); it will be replaced\n", g.Prefix, name, gmailsend.AsError(err).Message)
		return nil
	}
	old, err := credential.ParseSecret(name, raw)
	if err != nil || strings.EqualFold(old.User, user) {
		return nil
	}
	if !replace {
		return fmt.Errorf("%s%s holds the credential of %s, not %s: every caller sending with %q would start sending as %s. "+
			"Pass --replace to replace it, or choose another NAME (nothing was stored)", g.Prefix, name, old.User, user, name, user)
	}
	c.notef("replacing %s%s: it held the credential of %s\n", g.Prefix, name, old.User)
	return nil
}

// verifyLogin is the function's SMTP login, bounded by --timeout.
func (c *command) verifyLogin(ctx context.Context, g *Globals, cfg smtp.Config, creds smtp.Credentials) error {
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	return smtp.VerifyLogin(step, cfg, creds)
}

// store writes value (the credential JSON) as <prefix>name and prints its
// ARN and how to send with it.
func (c *command) store(ctx context.Context, client awssecrets.WriteAPI, g *Globals, name, user, value string, s storeFlags) error {
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	res, err := awssecrets.NewWriter(client).Put(step, g.Prefix+name, value, awssecrets.PutOptions{
		KMSKeyID: s.kmsKeyID, Tags: s.tags, Description: "gmailsend credential for " + user,
	})
	if err != nil {
		return err
	}
	if res.Created {
		c.notef("created secret %s%s\n", g.Prefix, name)
	} else {
		c.notef("updated secret %s%s (its new current version)\n", g.Prefix, name)
	}
	if res.KeptKMSKey {
		c.notef("note: the existing secret keeps its KMS key; change it with: aws secretsmanager update-secret --secret-id %s%s --kms-key-id %s\n", g.Prefix, name, s.kmsKeyID)
	}
	if res.KeptTags {
		c.notef("note: tags are set only when a secret is created; add them with: aws secretsmanager tag-resource --secret-id %s%s --tags Key=…,Value=…\n", g.Prefix, name)
	}
	c.printf("%s\n", res.ARN)
	c.notef("send with it: {\"credential\": %q, \"toEmail\": …}\n", name)
	return nil
}

// jsonString is the stored form of a credential.
func jsonString(s credential.Secret) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}

// nothingStored adds to a failed check that no secret was written.
func nothingStored(err error) error {
	e := *gmailsend.AsError(err)
	e.Message += "; nothing was stored"
	return &e
}
