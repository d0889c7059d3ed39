// Package dynalite runs dynalite (npm, a real DynamoDB implementation on
// LevelDB, pinned in this directory's package.json and lockfile) on a free
// loopback port, for tests and for `make run` / `make serve`, and creates
// the messages table from template.yaml's own definition, so the code and
// the template cannot drift apart.
//
// dynalite has no TTL and no transactions: the product uses neither
// (single-item conditional writes only), and tests assert the expiry
// attribute's value instead of waiting for deletion. Only tests and local
// tools import this package.
package dynalite
