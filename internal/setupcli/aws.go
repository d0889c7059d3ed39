package setupcli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/logging"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// loginTargets are the SMTP server and the Secrets Manager client of a
// command that logs in and then stores. Both are settled first: a bad
// --ca-file or a missing region must not cost a typed password or a
// browser sign-in.
func (c *command) loginTargets(ctx context.Context, g *Globals) (smtp.Config, *secretsmanager.Client, error) {
	cfg, err := g.smtpConfig()
	if err != nil {
		return smtp.Config{}, nil, err
	}
	client, err := c.secretsClient(ctx, g)
	if err != nil {
		return smtp.Config{}, nil, err
	}
	return cfg, client, nil
}

// secretsClient is the Secrets Manager client of this run.
func (c *command) secretsClient(ctx context.Context, g *Globals) (*secretsmanager.Client, error) {
	if c.env.Secrets != nil {
		return c.env.Secrets(ctx, g)
	}
	return loadSecretsClient(ctx, g, c.env.Stderr)
}

// loadSecretsClient uses the AWS SDK's standard configuration chain
// (profiles, SSO, the environment): this runs on a person's machine. The
// function reads only its environment (package awsenv).
func loadSecretsClient(ctx context.Context, g *Globals, stderr io.Writer) (*secretsmanager.Client, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(quietIMDS(stderr))}
	if g.Region != "" {
		opts = append(opts, config.WithRegion(g.Region))
	}
	if g.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &gmailsend.Error{Code: gmailsend.CodeSecretsUnavailable, Err: err,
			Message: "AWS configuration could not be loaded: " + err.Error()}
	}
	if cfg.Region == "" {
		// Checked here: the SDK would only say "Missing Region" at the
		// first call, after the password was already typed and verified.
		return nil, usagef("no AWS region: set AWS_REGION, pass --region, or use a profile that has one (the region you deployed the stack to)")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		// Found here, before a password is typed, and told apart from an
		// unreachable endpoint: the SDK would otherwise fail at the first
		// call with secrets_unavailable, "may pass if tried again later".
		return nil, fmt.Errorf("no AWS credentials found: run aws configure (or aws sso login), set AWS_PROFILE or pass --profile, "+
			"or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. To try gmailsend without AWS, run make serve and paste the lines it prints (%w)", err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// quietIMDS is the SDK's logger without its EC2 metadata warnings: on a
// person's machine the credential chain's last resort, IMDS, is never
// there, and its "falling back to IMDSv1" line would stand before the
// error that says what is really missing (no AWS credentials).
func quietIMDS(w io.Writer) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		line := fmt.Sprintf(format, v...)
		if strings.Contains(line, "IMDS") {
			return
		}
		fmt.Fprintf(w, "SDK %s %s\n", c, line)
	})
}
