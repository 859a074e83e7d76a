"""The broker's 12-step partner deal (issue 15). This branch carries only its ЭДО part
(:mod:`.edo`); the domain's declaration comes with its records (broker-core)."""
