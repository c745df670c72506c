// Package sim is nodeloop's deterministic simulation: a world on one goroutine whose
// time is a fakeclock.Clock moved only by the fakepoller.Poller's Wait, with a
// simulated pool of workers in virtual time.
//
// A simulated run is a pure function of the program and what was scheduled: the
// same program gives the same trace, byte for byte, on every run.
//
// # Choices
//
// Everything a real machine would decide (each latency, which of simultaneous
// completions goes first, each pool job's duration, each fault) is a labelled
// decision of the run's one choice source: [Seeded] for sweeps, [Rapid] under a
// property test, [Replay] for a recorded log. A draw of 0 is always the calm option
// (the shortest latency, the first completion, no fault), so fakepoller.First and
// rapid's shrinking lead to runs without faults.
//
// A run's choices (Result.Choices) are its log: [WriteChoices] keeps them in a file,
// [ReadChoices] reads it back, and [Replay] repeats the run from them. [ReplayFrom]
// repeats it on a program edited since: choices are matched by label and number of
// options, so an edit that draws nothing changes nothing, and a choice that no
// longer fits is drawn fresh or found a little further in the log, the Result's
// [Divergence] saying where.
//
// # The program's own draws
//
// A program draws its workload from the same source with [Choose], [Duration] and
// [Bool]: how many requests, how long a client waits, whether a cache entry is
// stale. Each draw is a choice of the run, logged and traced under
// [UserPrefix]+label, so a sweep seeds it, a property test shrinks it with the
// schedule and the faults, and a replay repeats it. [Busy] says how long a callback
// computes: the virtual clock moves by that much. On a loop that is not simulated
// the draws come from a generator seeded by [SeedEnv] and Busy spins, so that a
// real run of the same program draws the same workload and keeps the same orders.
//
// # Faults
//
// [Faults] are options of the fakes: Faults.Network those of the fake network
// (fakepoller.Faults), Faults.Pool those of the simulated [Pool] ([PoolFaults]),
// Faults.Disk those of a simulated [Disk] ([DiskFaults]).
// One table lists every fault with its name, what it does, its choice and its
// defaults; [ParseFaults], [Faults.String], [KnownFaults], validation, the trace
// header and swarm mode are derived from it. Probabilities go in steps of one in a
// million; a finer one is an error.
//
// # Disks
//
// A [Disk] is an in-memory file system for the loop's file operations, given as
// Config.FS: what a program writes goes to a volatile cache until it syncs the file,
// and a directory's changes until it syncs the directory, and [Disk.Crash] returns
// the disk after a power cut, what was not durable lost, kept, torn or reordered by
// labelled choices (all lost under the calm ones). A run works on a copy of the disk
// it is given and leaves it in Result.Disk.
//
// # Sweeps
//
// [Sweep] runs a program on every seed of a range ([Seeds]), or of one [Shard] of
// it, in parallel, each run on a goroutine of its own, and returns a [SweepReport]:
// counts, and the smallest failing seeds with their choice logs. Seeds are computed
// and passing runs only counted, so a sweep's memory does not depend on its range.
// [ShardFromEnv] finds a process's shard in the variables of a batch engine, and
// [MergeSweepReports] joins the shards' reports, checking that they ran every seed
// once under one build and configuration.
//
// # Worlds of several hosts
//
// A [World] runs several hosts, each a loop with its own program, on one virtual
// clock, one network and one choice source, on the calling goroutine: a client and a
// server, a replicated store. A host dials another by its name ("db1:5432"); the
// addresses a connection reports are the hosts' own (10.0.0.1 for the first host
// added, and so on), which [HostOf] names. The world delivers what the network has
// due, then runs one iteration of one of the hosts that have something to do (the
// loop's NextDeadline has come, or its poller has completions); which one, when
// several could, is the choice "world.host", seeded, shrunk and replayed like every
// other. The world's trace holds every host's events, each naming its host
// (traces.Event.Host), after a header that lists the hosts; [HostEvents] takes one
// host's events out of it, for properties.Check. A world with hosts alive and
// nothing that can ever happen is Stuck, and its error names those hosts; the
// [WorldResult] gives each host's verdict and what keeps it alive, with where the
// program made it. In liveness mode ([Liveness]) every fault stops at a point in
// virtual time and the world must then reach the user's condition within a bound,
// or end NotLive with the same account of what is alive.
//
// A host's wall clock, [WallClock] (Date.now in JavaScript), may disagree with the
// others' as its [ClockSkew] says: an offset, a drift in parts per million and
// steps, drawn as choices where the skew gives bounds, while its timers keep the
// world's monotonic time. [Busy] moves the world's one clock: while a host
// computes, the other hosts wait.
//
// # Buggify
//
// [Buggify] lets a program inject the faults only it knows how to make, at sites it
// names, FoundationDB's way: a site is enabled for a whole run on some runs, and an
// enabled site fires on some of its reaches; both are choices of the run, calm at 0,
// so a failure shrinks towards the fewest buggified sites. On a real loop it is false.
package sim
