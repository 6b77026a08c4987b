DefinitionBlock ("", "DSDT", 1, "BAREMU", "BAREMUPC", 0x00000001)
{
    Name (\_S5, Package (0x04)
    {
        Zero,
        Zero,
        Zero,
        Zero
    })
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03") /* PCI Bus */)
            Name (_UID, Zero)
        }
    }
}

