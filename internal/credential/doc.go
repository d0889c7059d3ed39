// Package credential decides which account and secret a send uses: an
// inline app password or access token from the request, or a credential
// stored in a secret store under a fixed prefix, fetched once and cached.
//
// It enforces the rules that keep one caller from using another's stored
// account: names confined to the prefix, the account taken from the
// secret, inline passwords refusable by policy. It knows nothing of AWS or
// OAuth endpoints: the secret store and the token refresher are small
// interfaces that adapters implement.
package credential
