"""The broker's pages and API (issue 15). This branch carries only the ЭДО page
(:mod:`.edo`); the package's ``BLUEPRINTS`` come with the broker's pages (broker-core)."""
