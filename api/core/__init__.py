"""The service's core: settings-driven platform, sessions and sign-in, roles from the chain, errors."""
