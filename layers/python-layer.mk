# Shared by the layers that hold Python packages (included by their Makefiles, run by `sam build`).
#
# No Docker: pip downloads the runtime's own wheels (CPython 3.12, manylinux2014 x86_64) and unpacks
# them under python/, which Lambda puts on sys.path as /opt/python, whatever Python runs the build.
# Every package is pinned in the layer's requirements.txt and installed with --no-deps, so the
# layer holds exactly what the file lists. pip's cache (~/.cache/pip) makes rebuilds fast.

PYTHON ?= python3
LAMBDA_PYTHON_VERSION := 3.12
# python3.12 runs on Amazon Linux 2023 (glibc 2.34): wheels built for glibc 2.17 (manylinux2014) to
# 2.28 load there, and numpy >= 2.3 publishes manylinux_2_28 wheels only. pip does not widen an
# explicit platform to older glibc versions, so each accepted one is listed.
LAMBDA_PLATFORMS := manylinux2014_x86_64 manylinux_2_24_x86_64 manylinux_2_27_x86_64 manylinux_2_28_x86_64

# $(call install-wheels,requirements file,target directory)
define install-wheels
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile --no-deps \
		$(addprefix --platform ,$(LAMBDA_PLATFORMS)) --python-version $(LAMBDA_PYTHON_VERSION) --implementation cp \
		--only-binary=:all: --target $(2) --requirement $(1)
endef

# $(call strip-packages,directory): what the runtime never reads, and any bytecode of another
# interpreter than the runtime's.
define strip-packages
	find $(1) -depth -type d \( -name __pycache__ -o -name tests \) -exec rm -rf {} +
	find $(1) -type f \( -name '*.pyc' -o -name '*.pyi' -o -name '*.h' -o -name '*.pxd' \
		-o -name '*.pyx' \) -delete
endef

# The runtime's interpreter, when the build machine has one that runs (CI's package job and the deploy
# job do; so does Ubuntu 24.04's own python3); RUNTIME_PYTHON=/path/to/python3.12 names one. Only it can
# write bytecode that the runtime reads.
RUNTIME_PYTHON ?= $(shell python$(LAMBDA_PYTHON_VERSION) -c 'import sys; print(sys.executable)' 2>/dev/null)

# $(call compile-bytecode,directory): Lambda cannot write bytecode under its read-only /opt, so a layer
# without it is compiled from source by every cold start, module by module (the API's init: 1.2 s
# without, 0.5 s with, docs/benchmarks.md). Hash-based and unchecked: the files' mtimes change when
# the zip is unpacked, their content never does.
define compile-bytecode
	$(if $(RUNTIME_PYTHON),$(RUNTIME_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash $(1) > /dev/null,\
		@echo "python$(LAMBDA_PYTHON_VERSION) not found: $(1) has no bytecode (slower cold starts)" >&2)
endef
