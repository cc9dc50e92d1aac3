"""Recording fakes for every port: they remember what they were sent and answer as they
are told (including faults). Most service and flow tests use these; the simulators stay
for the adapters' contract tests and the end-to-end tests."""
