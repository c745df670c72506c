package ledger_test

import (
	"fmt"
	"os"

	"github.com/nodeloop/nodeloop/scenarios/ledger"
	"github.com/nodeloop/nodeloop/sim"
)

// The ledger's host crashes on seed 8 and its script runs again, finding the
// entries it had made durable; with the planted bug, seed 29 loses two that it
// had acknowledged.
func Example() {
	faults, err := sim.ParseFaults("crash=0.5:200ms,partition=0.3:200ms,clog=0.2:20ms")
	if err != nil {
		panic(err)
	}
	const script = "../../examples/world/ledger.js"
	res, err := ledger.Run(sim.Config{Seed: 8, Faults: faults}, ledger.Options{Script: script, Stdout: os.Stdout})
	fmt.Printf("%d acknowledged, %d durable: %v\n", len(res.Acked), len(res.Durable), err)
	_, err = ledger.Run(sim.Config{Seed: 29, Faults: faults}, ledger.Options{Script: script, Bug: true})
	fmt.Println(err)
	// Output:
	// server: ledger: listening on 7000 with 0 entries
	// server: ledger: listening on 7000 with 11 entries
	// 20 acknowledged, 20 durable: <nil>
	// seed 29: the ledger lost 2 of 26 acknowledged entries: client1-5, client2-9
}
