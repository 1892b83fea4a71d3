# fortytwo.inception: `make` brings the stack up, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := all

VENV        ?= .venv
LOGIN       ?=
ANSIBLE_OPTS ?=
VAULT       := inventory/group_vars/all/vault.yml
VAULT_PASS  := .vault_pass
# The login a new vault is made for: LOGIN=..., else the user behind sudo, else you.
NEW_LOGIN   := $(or $(LOGIN),$(SUDO_USER),$(shell id -un))
LOGIN_VARS  := $(if $(LOGIN),-e inception_login=$(LOGIN) -e inception_domain=$(LOGIN).42.fr)
# BONUS=yes turns every bonus service on (redis, ftp, static_site, adminer, backup_cron).
BONUS       ?=
LOGIN_VARS  += $(if $(filter yes true 1,$(BONUS)),-e inception_bonus=true)
# INVENTORY=<file> targets other hosts (make vm writes one for its VM).
INVENTORY   ?=
LOGIN_ARGS  := $(LOGIN_VARS) $(if $(INVENTORY),-i $(INVENTORY))

BIN := $(VENV)/bin
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR ?= 1


.PHONY: check-vault
.PHONY: vm vm-stop vm-destroy vm-check
.PHONY: test-controller molecule-and-controller
.PHONY: all up upgrade down fclean re status updates verify backup restore vault docs build changelog bench test lint sanity syntax unit molecule test-vm clean-venv help

all: up ## Bring the whole stack up on the inventory's host (the local machine by default)

# The checkout is the collection fortytwo.inception: ansible.cfg looks for it
# under .collections/ (a link tracked in git, made again if a copy lost it).
COLLECTION_LINK := .collections/ansible_collections/fortytwo/inception

$(BIN)/.installed: requirements.txt tools/bootstrap-venv.sh | $(COLLECTION_LINK)
	tools/bootstrap-venv.sh $(VENV) requirements.txt
	touch $@

$(COLLECTION_LINK):
	tools/checkout-setup.sh

$(BIN)/.installed-bench: requirements-bench.txt requirements.txt $(BIN)/.installed
	tools/bootstrap-venv.sh $(VENV) requirements-bench.txt
	touch $@

$(BIN)/.installed-test: requirements-test.txt requirements.txt $(BIN)/.installed
	tools/bootstrap-venv.sh $(VENV) requirements-test.txt
	touch $@

# sslyze pins an older cryptography than Ansible: it gets a venv of its own.
.venv-sslyze/bin/sslyze: requirements-sslyze.txt tools/bootstrap-venv.sh
	tools/bootstrap-venv.sh .venv-sslyze requirements-sslyze.txt
	touch $@

$(VAULT): | $(BIN)/.installed
	$(BIN)/python tools/init-vault.py $(VAULT) $(VAULT_PASS) $(NEW_LOGIN)

up: $(BIN)/.installed $(VAULT) check-vault
	$(BIN)/ansible-playbook playbooks/site.yml $(LOGIN_ARGS) $(ANSIBLE_OPTS)

# Ansible alone says "Decryption failed" without naming the file: say which.
check-vault: $(BIN)/.installed
	@head -c 14 $(VAULT) | grep -q '^$$ANSIBLE_VAULT' || { \
	  echo "$(VAULT) is not encrypted: run '$(BIN)/ansible-vault encrypt $(VAULT)'" >&2; exit 1; }
	@$(BIN)/ansible-vault view --vault-password-file $(VAULT_PASS) $(VAULT) > /dev/null 2>&1 || { \
	  echo "$(VAULT) cannot be decrypted with $(VAULT_PASS): restore the password file that" \
	       "encrypted it, or move the vault away and run make to generate new secrets" >&2; exit 1; }

upgrade: $(BIN)/.installed check-vault ## Bring Debian's updates into the images that lack them, one service at a time, the site up; a report
	$(BIN)/ansible-playbook playbooks/upgrade.yml $(LOGIN_ARGS) $(ANSIBLE_OPTS)

down: $(BIN)/.installed ## Remove the containers and the network; keep the data
	$(BIN)/ansible-playbook playbooks/down.yml $(LOGIN_ARGS) $(ANSIBLE_OPTS)

fclean: $(BIN)/.installed ## Remove everything, data included
	$(BIN)/ansible-playbook playbooks/fclean.yml -e inception_purge_confirm=yes $(LOGIN_ARGS) $(ANSIBLE_OPTS)

re: fclean up

status: $(BIN)/.installed ## One table of the stack at once: state, health, image, uptime, restarts, memory, ports, volumes; the URL
ifeq ($(INVENTORY),)
	@$(BIN)/python tools/status.py
else
	@$(BIN)/ansible-playbook playbooks/status.yml $(LOGIN_ARGS) $(ANSIBLE_OPTS)
endif

updates: $(BIN)/.installed ## The status table with how many packages each image is behind Debian's mirror (asks the mirror)
	@$(BIN)/ansible-playbook playbooks/status.yml $(LOGIN_ARGS) $(ANSIBLE_OPTS)

verify: $(BIN)/.installed-test ## Check the running stack against the subject, read-only, on every host of the inventory; a report per host
	$(BIN)/python tools/verify.py $(if $(INVENTORY),--inventory $(INVENTORY)) $(LOGIN_VARS)

# BACKUP=<name>|latest picks the backup; FROM=<dir> restores one fetched to this machine.
BACKUP ?= latest
FROM   ?=
backup: $(BIN)/.installed check-vault ## Back up the database and site files to <data dir>/backups (FETCH=<dir> copies it here)
	$(BIN)/ansible-playbook playbooks/backup.yml $(LOGIN_ARGS) $(if $(FETCH),-e backup_fetch_dir=$(abspath $(FETCH))) $(ANSIBLE_OPTS)

restore: $(BIN)/.installed check-vault ## Restore a backup: BACKUP=<name>|latest (default latest), FROM=<fetched backup dir>
	$(BIN)/ansible-playbook playbooks/restore.yml $(LOGIN_ARGS) -e backup_name=$(BACKUP) \
	  $(if $(FROM),-e backup_upload_from=$(abspath $(FROM))) $(ANSIBLE_OPTS)

vault: $(BIN)/.installed $(VAULT) ## Edit the secrets (ansible-vault edit)
	$(BIN)/ansible-vault edit $(VAULT)

test: lint sanity syntax unit molecule-and-controller ## Lint, ansible-test sanity, syntax-check, fast tests, molecule on the real stack (and the controller on Python 3.13 and a qemu VM's boot beside it)

# Tests never read the real vault. ansible.cfg names a password file, so test
# runs get a random stand-in, made here and never committed.
STAND_IN := .cache/vault-stand-in
$(STAND_IN):
	tools/checkout-setup.sh

lint sanity syntax unit molecule test-vm: $(STAND_IN)
lint syntax unit: export ANSIBLE_VAULT_PASSWORD_FILE := $(CURDIR)/.cache/vault-stand-in

lint: $(BIN)/.installed-test
	$(BIN)/yamllint --strict .
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint

sanity: $(BIN)/.installed-test ## ansible-test sanity on a copy of the collection, offline
	tools/test-debs.sh shellcheck
	tools/sanity.sh

syntax: $(BIN)/.installed-test
	for playbook in playbooks/*.yml; do \
	  $(BIN)/ansible-playbook --syntax-check -i tests/inventory.yml $$playbook || exit 1; \
	done

unit: $(BIN)/.installed-test
	$(BIN)/pytest -q tests

# The scenarios' dependency step (tools/molecule-deps.sh) makes the same, for
# a plain `molecule test`; made here first, apt and the sslyze venv are not
# run by the two scenarios at once.
molecule: $(BIN)/.installed-test .venv-sslyze/bin/sslyze ## Both molecule scenarios side by side: default (this host) and fresh_vm (two VMs)
	tools/test-debs.sh
	PATH=$(CURDIR)/$(BIN):$$PATH tools/molecule-parallel.sh default 'fresh_vm$(MOLECULE_AFTER_FRESH_VM)'

# make test: the controller side on Python 3.13 (a few minutes, mostly pip)
# runs beside the two scenarios, its output in .cache/test-controller.log;
# the qemu VM check (vm-check) in fresh_vm's lane once it is over, while the
# longer default scenario still runs.
molecule-and-controller: $(STAND_IN)
	tools/test-controller.sh > .cache/test-controller.log 2>&1 & controller=$$!; \
	$(MAKE) --no-print-directory molecule MOLECULE_AFTER_FRESH_VM=':tools/vm.sh check'; status=$$?; \
	if wait $$controller; then tail -n 1 .cache/test-controller.log; \
	else echo "test-controller FAILED (.cache/test-controller.log):"; tail -n 40 .cache/test-controller.log; status=1; fi; \
	exit $$status

test-vm: $(BIN)/.installed-test .venv-sslyze/bin/sslyze ## Only the fresh_vm scenario
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/molecule test -s fresh_vm

# RELEASE=trixie: a Debian 13 VM (.cache/vm-trixie), beside the Debian 12 one.
RELEASE ?= bookworm
vm: ## Build (cached) and boot a local Debian 12 VM with qemu (RELEASE=trixie: Debian 13); writes .cache/vm/inventory.yml for make INVENTORY=...
	RELEASE=$(RELEASE) tools/vm.sh up

vm-stop: ## Shut the local VM down (its disk stays; RELEASE=trixie: the Debian 13 one)
	RELEASE=$(RELEASE) tools/vm.sh stop

vm-destroy: ## Shut the local VM down and remove its disk and inventory (RELEASE=trixie: the Debian 13 one)
	RELEASE=$(RELEASE) tools/vm.sh destroy

# make test: the VM image builds and boots, SSH and `sudo -n true` work, it shuts down.
vm-check:
	tools/vm.sh check

test-controller: $(STAND_IN) ## The controller side on another Python (PYTHON=python3.13, Debian 13's): fast tests, syntax check
	tools/test-controller.sh $(or $(PYTHON),python3.13)

clean-venv:
	rm -rf $(VENV) .venv-sslyze

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

bench: $(BIN)/.installed-bench $(STAND_IN) ## Measure provisioning, serving and cost on a stack of its own; table, results/bench-*.json and .png
	tools/test-debs.sh wrk h2load
	$(BIN)/python tools/bench.py $(BENCH_OPTS)

build: $(BIN)/.installed ## Build the collection artifact into dist/ (ansible-galaxy collection build)
	$(BIN)/ansible-galaxy collection build --force --output-path dist

changelog: $(BIN)/.installed-test ## Check the changelog fragments and regenerate CHANGELOG.rst (VERSION=x.y.z releases them)
	$(BIN)/antsibull-changelog lint
	$(if $(VERSION),$(BIN)/antsibull-changelog release --version $(VERSION) && sed -i 's/^version: .*/version: $(VERSION)/' galaxy.yml,$(BIN)/antsibull-changelog generate)

docs: $(BIN)/.installed ## Regenerate the role READMEs and the README's variables from the argument specs
	$(BIN)/python tools/gen-docs.py
