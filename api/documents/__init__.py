"""Off-chain documents: certificates and application materials, encrypted at rest, addressed by digest."""
