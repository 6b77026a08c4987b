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
        Device (VR00)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x00)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00000,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000010,
                }
            })
        }

        Device (VR01)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x01)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00200,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000011,
                }
            })
        }

        Device (VR02)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x02)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00400,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000012,
                }
            })
        }

        Device (VR03)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x03)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00600,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000013,
                }
            })
        }

        Device (VR04)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x04)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00800,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000014,
                }
            })
        }

        Device (VR05)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x05)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00A00,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000015,
                }
            })
        }

        Device (VR06)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x06)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00C00,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000016,
                }
            })
        }

        Device (VR07)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x07)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite,
                    0xFEB00E00,
                    0x00000200,
                    )
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )
                {
                    0x00000017,
                }
            })
        }
    }
}

