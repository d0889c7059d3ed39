package setupcli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gmailsend/gmailsend/internal/email"
)

// secretsClient is the Secrets Manager client of this run.
func (c *command) secretsClient(ctx context.Context, g *Globals) (*secretsmanager.Client, error) {
	if c.env.Secrets != nil {
		return c.env.Secrets(ctx, g)
	}
	return loadSecretsClient(ctx, g)
}

// loadSecretsClient uses the AWS SDK's standard configuration chain, as
// the function does, so the same environment variables and profiles work.
func loadSecretsClient(ctx context.Context, g *Globals) (*secretsmanager.Client, error) {
	var opts []func(*config.LoadOptions) error
	if g.Region != "" {
		opts = append(opts, config.WithRegion(g.Region))
	}
	if g.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &email.Error{Code: email.CodeSecretsUnavailable, Err: err,
			Message: "AWS configuration could not be loaded: " + err.Error()}
	}
	if cfg.Region == "" {
		// Checked here: the SDK would only say "Missing Region" at the
		// first call, after the password was already typed and verified.
		return nil, usagef("no AWS region: set AWS_REGION, pass --region, or use a profile that has one (the region you deployed the stack to)")
	}
	return secretsmanager.NewFromConfig(cfg), nil
}
