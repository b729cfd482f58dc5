package serverless

import (
	"reflect"
	"testing"
)

// TestNewLeavesArgsAlone: New defaults the partition on its own copy; the
// caller's Args (and their embedded config.Env, built once by the stack)
// are unchanged.
func TestNewLeavesArgsAlone(t *testing.T) {
	t.Parallel()
	var args *Args
	var before Args
	r := synth(t, dbaySpec(t, nil), func(a *Args) {
		a.Partition = ""
		args, before = a, *a
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !reflect.DeepEqual(*args, before) {
		t.Errorf("New changed the caller's Args: Env %+v (was %+v)", args.Env, before.Env)
	}
}
