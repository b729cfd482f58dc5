package datalayer

import "testing"

func TestModeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dr   *DR
		want mode
	}{
		{nil, standalone},
		{&DR{Region: "us-west-2"}, globalPrimary},
		{&DR{Source: &Source{}}, secondary},
	}
	for _, tt := range tests {
		if got := modeOf(tt.dr); got != tt.want {
			t.Errorf("modeOf(%+v) = %v, want %v", tt.dr, got, tt.want)
		}
	}
}
