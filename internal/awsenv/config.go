package awsenv

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// Service names a client's endpoint variable: AWS_ENDPOINT_URL_ + the
// service's SDK ID in upper case, spaces as underscores.
type Service string

// The services the functions call.
const (
	SecretsManager Service = "SECRETS_MANAGER"
	DynamoDB       Service = "DYNAMODB"
	SQS            Service = "SQS"
	Scheduler      Service = "SCHEDULER"
)

// Lookup reads one environment variable (os.LookupEnv).
type Lookup func(name string) (string, bool)

// Load is the configuration for svc from the process environment; every
// call is tried at most maxAttempts times.
func Load(svc Service, maxAttempts int) (aws.Config, error) {
	return FromEnv(os.LookupEnv, svc, maxAttempts)
}

// FromEnv is Load reading variables through env.
func FromEnv(env Lookup, svc Service, maxAttempts int) (aws.Config, error) {
	get := func(name string) string { v, _ := env(name); return strings.TrimSpace(v) }
	cfg := aws.Config{RetryMaxAttempts: maxAttempts}
	cfg.Region = get("AWS_REGION")
	if cfg.Region == "" {
		cfg.Region = get("AWS_DEFAULT_REGION")
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("awsenv: AWS_REGION is not set (Lambda sets it; set it for local runs)")
	}
	creds, err := credentialsFrom(get)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = creds
	ignore, err := boolean(get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsenv: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: %w", err)
	}
	if !ignore {
		ep := get("AWS_ENDPOINT_URL_" + string(svc))
		if ep == "" {
			ep = get("AWS_ENDPOINT_URL")
		}
		if ep != "" {
			cfg.BaseEndpoint = aws.String(ep)
		}
	}
	return cfg, nil
}

// credentialsFrom follows the SDK's order for the sources a function can
// have: static keys first (each from its name or the SDK's older one; half
// a pair is no pair, as in the SDK), then the container endpoint.
func credentialsFrom(get func(string) string) (aws.CredentialsProvider, error) {
	id := firstSet(get("AWS_ACCESS_KEY_ID"), get("AWS_ACCESS_KEY"))
	secret := firstSet(get("AWS_SECRET_ACCESS_KEY"), get("AWS_SECRET_KEY"))
	if id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, get("AWS_SESSION_TOKEN")), nil
	}
	endpoint := get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if rel := get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		endpoint = "http://169.254.170.2" + rel // the relative URI wins, as in the SDK
	}
	switch {
	case endpoint == "" && (id != "" || secret != ""):
		return nil, errors.New("awsenv: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
	case endpoint == "":
		return nil, errors.New("awsenv: no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_CONTAINER_CREDENTIALS_FULL_URI)")
	}
	if err := checkContainerEndpoint(endpoint); err != nil {
		return nil, err
	}
	token, tokenFile := get("AWS_CONTAINER_AUTHORIZATION_TOKEN"), get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
	p := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = token
		if tokenFile != "" {
			// Read on every refresh: the file is rotated under us.
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(tokenFile)
				if err != nil {
					return "", fmt.Errorf("awsenv: reading AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
				}
				return strings.TrimSpace(string(b)), nil
			})
		}
	})
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute }), nil
}

// checkContainerEndpoint refuses to send the authorization token in clear
// text anywhere but a loopback or the ECS/EKS link-local agents, as the
// SDK does; stricter, it resolves no host name but "localhost".
func checkContainerEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("awsenv: container credentials URI %q is not a URL", endpoint)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme != "http" {
		return fmt.Errorf("awsenv: container credentials URI %q must be http or https", endpoint)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsLoopback() || ip.Equal(net.IPv4(169, 254, 170, 2)) || ip.Equal(net.IPv4(169, 254, 170, 23)) || ip.Equal(net.ParseIP("fd00:ec2::23"))) {
		return nil
	}
	return fmt.Errorf("awsenv: container credentials URI %q: plain http is allowed only to a loopback or the ECS/EKS agent address", endpoint)
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// boolean reads true or false in any case, as the SDK does; empty is false.
func boolean(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither true nor false", v)
}
