# vmx.mk - the appliance's "vmx" accelerator: its ring-0 half (the VM entry
# system call, kernel/vmx-run.c) runs in the #UD handler, so like the other
# ring-0 code it is built without SSE (mk/metal.mk expands this list when
# its compile recipe runs, after every mk/*.mk has been read).
METAL_NOSSE_SRCS += kernel/vmx-run.c
