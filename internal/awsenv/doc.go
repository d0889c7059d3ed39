// Package awsenv configures the AWS SDK for Go v2 from the environment a
// Lambda function runs in, without the SDK's config package.
//
// Why not config.LoadDefaultConfig: it links the whole shared-config chain
// (SSO, SSO-OIDC, STS, sign-in, IMDS, INI files), and every one of those
// service packages builds endpoint tables when the process starts. That is
// about a fifth of the function's package initialisation, paid on every
// cold start, for sources a Lambda function never has: Lambda hands the
// execution role's credentials over as environment variables (or, where a
// container credential endpoint is used, as its URI), and AWS_REGION.
//
// What it reads, in the SDK's own precedence (where it differs, it is
// stricter and says so):
//   - region: AWS_REGION, else AWS_DEFAULT_REGION;
//   - credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN; else the container credential endpoint
//     (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
//     AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE);
//   - endpoint: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, unless
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (local stand-ins).
//
// Profiles and shared config files are not read: the gmailsend command,
// which runs on a laptop, keeps the SDK's full chain (package setupcli).
package awsenv
