// Package kv is a small replicated key-value store run as a simulated world
// (sim.World), and the checker of what its clients saw: the showcase of what a
// world of hosts with partitions, crashes and disks finds.
//
// # The store
//
// Three hosts hold the store: db1, the primary, and db2 and db3, its backups. Each
// keeps a log of writes in the file "log" of its own disk, one write a line, and
// recovers from it when it restarts. Everything goes through the loop's own APIs:
// Listen, DialTimeout and Conn for the network, ReadFile, WriteFile, AppendFile,
// Fsync and Rename for the disk.
//
// The primary serves every request. A put is appended to its log in memory and, in
// a group commit a few milliseconds later together with the puts that came
// meanwhile, written to its log file and synced, then sent to every live backup,
// which appends it to its own log file, syncs it and acknowledges it. A put is
// committed once the primary and every live backup have it durably; only then is it
// acknowledged to its client and seen by gets. A backup is live while its
// connection holds and it acknowledges within a timeout; the primary dials a backup
// that is not again and again, and brings it up to date when it answers. A primary
// that restarts reads its own log, then asks the backups for theirs (for a bounded
// time) and adopts a longer one that extends its own, before it serves again.
// Requests carry an identifier, and the primary applies a put it already has only
// once, so a client may retry anything.
//
// # The client and the check
//
// A fourth host, client, runs a few sessions at once, each a sequence of gets and
// puts drawn with sim.Choose (so that a failing run shrinks to the few operations
// it needs), each with a timeout and retries on a new connection. The history of
// the operations (when each was called and returned, in the order of the client's
// loop, and what it returned) is checked for linearizability with porcupine: a put
// never acknowledged may have happened or not, at any time after its call.
//
// Options.LostWrite plants one bug, the one the world is built to find: the primary
// acknowledges a put, and lets gets see it, as soon as it has it in memory, before
// its own sync and before any backup has it. A crash of the primary in that window
// loses an acknowledged put, and a later get returns an older value.
package kv
